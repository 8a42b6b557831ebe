package io.cyberun.contracts.agent;

/**
 * One GPU an agent reports.
 *
 * @param vramTotal bytes
 * @param vramFree  bytes
 */
public record GpuDevice(String deviceName, String deviceType, Long vramTotal, Long vramFree) {
}

package io.cyberun.contracts.agent;

/** Versions an agent reports: its own, and its runtime tool's. */
public record AgentVersions(String agentVersion, String tool, String toolVersion, String comfyuiVersion) {
}

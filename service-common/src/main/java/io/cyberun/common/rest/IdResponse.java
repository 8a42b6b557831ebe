package io.cyberun.common.rest;

import java.util.UUID;

/** The product's answer to a create or update: the resource's id. */
public record IdResponse(UUID id) {
}

package io.cyberun.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The field a Bean Validation violation names in an error's details, as API clients spell it. */
class ViolationFieldTests {
    @Test
    void theMethodAndArgumentGoAndNamesAreSnakeCase() {
        assertThat(ApiExceptionMappers.field("create.body.displayName")).isEqualTo("display_name");
        assertThat(ApiExceptionMappers.field("create.body.envConfig[0].envName")).isEqualTo("env_config[0].env_name");
        assertThat(ApiExceptionMappers.field("create.body")).isEqualTo("body");
    }

    @Test
    void anElementOfAListIsNamedByItsIndex() {
        assertThat(ApiExceptionMappers.field("create.body.webhookEvents[1].<list element>")).isEqualTo("webhook_events[1]");
    }
}

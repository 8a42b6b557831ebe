package io.cyberun.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The field a Bean Validation violation names in an error's details, as API clients spell it. */
class ViolationsTests {
    @Test
    void theMethodAndArgumentGoAndNamesAreSnakeCase() {
        assertThat(Violations.field("create.body.displayName", 2)).isEqualTo("display_name");
        assertThat(Violations.field("create.body.envConfig[0].envName", 2)).isEqualTo("env_config[0].env_name");
        assertThat(Violations.field("create.body", 2)).isEqualTo("body");
    }

    @Test
    void anElementOfAListIsNamedByItsIndex() {
        assertThat(Violations.field("create.body.webhookEvents[1].<list element>", 2)).isEqualTo("webhook_events[1]");
    }

    @Test
    void aBeanAServiceChecksItselfKeepsItsWholePath() {
        assertThat(Violations.field("requiredLabels[1].<list element>", 0)).isEqualTo("required_labels[1]");
        assertThat(Violations.field("parameters[0].node_id", 0)).isEqualTo("parameters[0].node_id");
        assertThat(Violations.field("workflowSlug", 0)).isEqualTo("workflow_slug");
    }
}

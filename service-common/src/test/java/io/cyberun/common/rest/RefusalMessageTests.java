package io.cyberun.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import org.junit.jupiter.api.Test;

/** A 403 from @RolesAllowed names what the method declares, so a caller knows which role or credential it needs. */
class RefusalMessageTests {

    @RolesAllowed(Roles.ADMIN)
    void admin() {
    }

    @RolesAllowed({Roles.VIEWER, Roles.AGENT})
    void teamOrAgent() {
    }

    @RolesAllowed(Roles.SERVICE)
    void service() {
    }

    @RolesAllowed(Roles.AGENT)
    void agent() {
    }

    @Test
    void theMessageNamesTheWeakestTeamRoleTheMethodAllows() throws Exception {
        assertThat(ApiExceptionMappers.refusal(allowed("admin"))).isEqualTo("your role is too low: this needs admin or higher");
        assertThat(ApiExceptionMappers.refusal(allowed("teamOrAgent"))).isEqualTo("your role is too low: this needs viewer or higher");
    }

    @Test
    void serviceAndAgentEndpointsSayWhoMayCallThem() throws Exception {
        assertThat(ApiExceptionMappers.refusal(allowed("service"))).isEqualTo("only internal services may call this");
        assertThat(ApiExceptionMappers.refusal(allowed("agent"))).isEqualTo("only agents may call this");
        assertThat(ApiExceptionMappers.refusal(null)).isEqualTo("you may not call this");
    }

    static RolesAllowed allowed(String method) throws Exception {
        return RefusalMessageTests.class.getDeclaredMethod(method).getAnnotation(RolesAllowed.class);
    }
}

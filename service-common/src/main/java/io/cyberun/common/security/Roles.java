package io.cyberun.common.security;

import io.cyberun.contracts.auth.Role;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The role names a {@link io.quarkus.security.identity.SecurityIdentity} carries, for {@code @RolesAllowed}. A team
 * role includes every weaker one ({@link TeamRoles} expands it), so {@code @RolesAllowed(Roles.MEMBER)} lets members,
 * admins and owners in. Agents and internal services hold no team role: they are {@link #AGENT} and {@link #SERVICE}.
 */
public final class Roles {
    public static final String OWNER = "owner";
    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";
    public static final String VIEWER = "viewer";
    /** An agent, calling with the principal token agent-hub signed for it. */
    public static final String AGENT = "agent";
    /** An internal service acting on its own behalf, across teams. */
    public static final String SERVICE = "service";

    private Roles() {
    }

    /** {@code role} and every weaker team role, by their wire names. */
    public static Set<String> implied(Role role) {
        return Arrays.stream(Role.values()).filter(role::atLeast).map(Role::wireName).collect(Collectors.toSet());
    }
}

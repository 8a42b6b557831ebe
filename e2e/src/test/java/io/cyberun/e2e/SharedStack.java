package io.cyberun.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Ties the shared {@link CyberunStack} to the test run: the first test class that needs it registers it in the
 * root store, and JUnit closes it when the run ends (before the JVM exits, so nothing outlives the tests).
 */
public class SharedStack implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedStack.class, key -> (AutoCloseable) CyberunStack::closeShared, AutoCloseable.class);
    }
}

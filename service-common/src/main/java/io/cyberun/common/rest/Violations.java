package io.cyberun.common.rest;

import io.cyberun.contracts.error.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Bean Validation violations as the error body's {@code details}: one field error each, named as clients name the
 * field, sorted by field. Used for a request checked where the resource method is called and for a value a service
 * checks itself (a workflow after an update's fields are merged in).
 */
public final class Violations {
    /** Path nodes that name the method and argument checked, which mean nothing to clients. */
    private static final Set<ElementKind> CALL = EnumSet.of(ElementKind.METHOD, ElementKind.CONSTRUCTOR, ElementKind.PARAMETER,
            ElementKind.CROSS_PARAMETER, ElementKind.RETURN_VALUE);

    private Violations() {
    }

    public static List<FieldError> details(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(v -> new FieldError(field(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
    }

    static String field(Path path) {
        int call = 0;
        for (Path.Node node : path) {
            if (!CALL.contains(node.getKind())) {
                break;
            }
            call++;
        }
        return field(path.toString(), call);
    }

    /**
     * The field a rendered path names once its first {@code call} nodes (method, argument) are dropped:
     * {@code create.body.envConfig[0].envName} → {@code env_config[0].env_name}; the argument itself when nothing
     * follows it ({@code create.body} → {@code body}).
     */
    static String field(String path, int call) {
        String[] nodes = path.split("\\.");
        int from = Math.max(0, Math.min(call, nodes.length - 1));
        return Arrays.stream(nodes, from, nodes.length)
                .filter(n -> !n.startsWith("<")) // a container element's node (<list element>): the index before it names it
                .map(n -> n.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT))
                .collect(Collectors.joining("."));
    }
}

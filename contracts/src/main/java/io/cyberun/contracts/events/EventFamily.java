package io.cyberun.contracts.events;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The event types that travel on one topic: a sealed interface and its permitted records. Each record's
 * CloudEvents type is the family prefix plus its name in kebab case ({@code TaskEvent.StatusChanged} →
 * {@code io.cyberun.task.status-changed}), so adding a record to the sealed interface is all it takes.
 */
public final class EventFamily<T extends EventData> {
    private final Class<T> base;
    private final Map<Class<?>, String> typeByClass = new LinkedHashMap<>();
    private final Map<String, Class<? extends T>> classByType = new LinkedHashMap<>();

    private EventFamily(Class<T> base, String typePrefix) {
        this.base = base;
        Class<?>[] permitted = base.getPermittedSubclasses();
        if (permitted == null) {
            throw new IllegalArgumentException(base + " must be a sealed interface");
        }
        for (Class<?> c : permitted) {
            String type = typePrefix + kebab(c.getSimpleName());
            typeByClass.put(c, type);
            classByType.put(type, c.asSubclass(base));
        }
    }

    public static <T extends EventData> EventFamily<T> of(Class<T> base, String typePrefix) {
        return new EventFamily<>(base, typePrefix);
    }

    public Class<T> base() {
        return base;
    }

    public String typeOf(T event) {
        String type = typeByClass.get(event.getClass());
        if (type == null) {
            throw new IllegalArgumentException(event.getClass() + " is not a " + base.getSimpleName());
        }
        return type;
    }

    /** The CloudEvents type of a record class of this family. */
    public String typeOf(Class<? extends T> type) {
        String name = typeByClass.get(type);
        if (name == null) {
            throw new IllegalArgumentException(type + " is not a " + base.getSimpleName());
        }
        return name;
    }

    public Optional<Class<? extends T>> classOf(String type) {
        return Optional.ofNullable(classByType.get(type));
    }

    public Map<String, Class<? extends T>> types() {
        return Map.copyOf(classByType);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}

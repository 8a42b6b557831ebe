package io.cyberun.common.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Makes Quarkus' own ObjectMapper follow the Cyberun JSON conventions (snake_case, ISO dates). */
@Singleton
public class JsonConventions implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        CyberunJson.configure(mapper);
    }
}

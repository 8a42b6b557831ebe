package io.cyberun.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Helm chart as the end-to-end tests render it: release {@code cy} in namespace {@code cyberun}. */
final class Charts {
    static final Path CHART = Path.of("..", "deploy", "helm", "cyberun").toAbsolutePath().normalize();
    /** YAML without a document-start marker per value (the rendered files join documents with their own). */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private Charts() {
    }

    /** {@code helm template}: a template command of the chart, for values to be added. */
    static TemplateCommand template() {
        return new Helm(CHART).template();
    }

    /** The rendered manifests of a template command. */
    static String render(TemplateCommand command) {
        return command.withName("cy").withNamespace("cyberun").call();
    }

    /** Every object of a multi-document YAML (empty documents left out). */
    static List<ObjectNode> objects(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, ObjectNode.class);
            while (it.hasNext()) {
                ObjectNode o = it.next();
                if (o != null && o.has("kind")) {
                    objects.add(o);
                }
            }
        }
        return objects;
    }
}

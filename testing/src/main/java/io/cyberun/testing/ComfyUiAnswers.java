package io.cyberun.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The stub's canned answers, shaped as ComfyUI's. */
final class ComfyUiAnswers {
    private ComfyUiAnswers() {
    }

    /** {@code GET /system_stats} of a machine with one RTX 4090. */
    static ObjectNode systemStats(ObjectMapper json) {
        ObjectNode stats = json.createObjectNode();
        stats.putObject("system").put("os", "posix").put("comfyui_version", "0.3.40").put("pytorch_version", "2.7.0+cu128")
                .put("python_version", "3.12.3");
        stats.putArray("devices").addObject().put("name", "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync").put("type", "cuda")
                .put("index", 0).put("vram_total", 25_769_803_776L).put("vram_free", 24_000_000_000L);
        return stats;
    }

    /** {@code POST /prompt}'s 400 for a graph whose node {@code nodeKey} does not validate. */
    static ObjectNode validationError(ObjectMapper json, String nodeKey) {
        ObjectNode error = json.createObjectNode();
        error.putObject("error").put("type", "prompt_outputs_failed_validation").put("message", "Prompt outputs failed validation")
                .put("details", "");
        ObjectNode nodeError = error.putObject("node_errors").putObject(nodeKey);
        nodeError.put("class_type", "Invalid");
        nodeError.putArray("errors").addObject().put("type", "value_not_in_list").put("message", "Value not in list")
                .put("details", "ckpt_name: 'missing.safetensors' not in []");
        return error;
    }
}

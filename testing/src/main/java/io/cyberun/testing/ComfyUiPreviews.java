package io.cyberun.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** The stub's sampler previews: the images, and the binary WebSocket frames ComfyUI wraps them in. */
final class ComfyUiPreviews {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ComfyUiPreviews() {
    }

    /**
     * A preview frame as ComfyUI sends it: a big-endian event type and the image. Odd steps use the classic form (type
     * 1, then image type 2 for PNG); even steps the newer one with metadata (type 4, then the JSON's length, the JSON
     * naming the node and {@code image_type}).
     */
    static Buffer frame(String promptId, String nodeId, int step) {
        byte[] png = image(step);
        Buffer frame = Buffer.buffer();
        if (step % 2 == 1) {
            return frame.appendInt(1).appendInt(2).appendBytes(png);
        }
        byte[] meta = JSON.createObjectNode().put("node_id", nodeId).put("display_node_id", nodeId).put("prompt_id", promptId)
                .put("image_type", "image/png").toString().getBytes(StandardCharsets.UTF_8);
        return frame.appendInt(4).appendInt(meta.length).appendBytes(meta).appendBytes(png);
    }

    /** A small PNG whose colour changes with the step (a real image, so browsers and decoders accept it). */
    static byte[] image(int step) {
        var image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        int rgb = Color.HSBtoRGB((step % 12) / 12f, 0.6f, 0.9f);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x / 8 + y / 8) % 2 == 0 ? rgb : 0x202020);
            }
        }
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

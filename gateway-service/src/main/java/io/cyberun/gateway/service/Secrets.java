package io.cyberun.gateway.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Random secrets from a CSPRNG and their SHA-256: keys, invitation tokens and device codes. */
public final class Secrets {
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** {@code n} characters of [0-9A-Za-z], about 5.95 bits each. */
    public static String random(int n) {
        return random(n, ALPHABET);
    }

    public static String random(int n, char[] alphabet) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
        }
        return new String(out);
    }

    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String secret) {
        return java.util.HexFormat.of().formatHex(sha256(secret));
    }
}

package dev.preempt.internal.policy;

import dev.preempt.MessageNotSharableException;
import dev.preempt.SendPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.Locale;
import java.util.Objects;

/** Applies the JVM-wide send policy to each message sent. */
public final class Policies {

    private static volatile SendPolicy policy = initial();

    private Policies() {}

    private static SendPolicy initial() {
        String p = System.getProperty("preempt.send");
        return p == null ? SendPolicy.IMMUTABLE : parse(p);
    }

    /**
     * Parses a policy name (immutable, copy, trust) with a clear error.
     *
     * @param name the name, in any case
     * @return the policy
     * @throws IllegalArgumentException if the name is none of them
     */
    static SendPolicy parse(String name) {
        try {
            return SendPolicy.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown send policy '" + name + "'; accepted: immutable, copy, trust");
        }
    }

    /**
     * The JVM-wide send policy.
     *
     * @return the policy now
     */
    public static SendPolicy current() {
        return policy;
    }

    /**
     * Sets the JVM-wide send policy.
     *
     * @param p the policy; not null
     */
    public static void set(SendPolicy p) {
        policy = Objects.requireNonNull(p, "policy");
    }

    /**
     * What to deliver for {@code message} under the current policy; throws if the policy refuses it.
     *
     * @param message the message; not null
     * @return the message itself, or a deep copy of it under {@link SendPolicy#COPY}
     * @throws dev.preempt.MessageNotSharableException if the policy refuses it
     */
    public static Object admit(Object message) {
        Objects.requireNonNull(message, "a message must not be null");
        SendPolicy p = policy;
        if (p == SendPolicy.TRUST) return message;
        String problem = Immutability.problem(message);
        if (problem == null) return message;
        if (p == SendPolicy.IMMUTABLE) {
            throw new MessageNotSharableException("message of type " + message.getClass().getName()
                    + " is not deeply immutable: " + problem + ". Send immutable data (records of immutable parts, "
                    + "String, List.of/Map.of...), or choose the COPY or TRUST send policy "
                    + "(Preempt.setSendPolicy, or the agent option send=copy|trust).");
        }
        return deepCopy(message, problem);
    }

    private static Object deepCopy(Object message, String whyCopy) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(message);
        } catch (IOException e) {
            throw new MessageNotSharableException("message of type " + message.getClass().getName()
                    + " must be copied (" + whyCopy + ") but cannot be serialized: " + e, e);
        }
        ClassLoader loader = message.getClass().getClassLoader();
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()), loader)) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new MessageNotSharableException("message of type " + message.getClass().getName()
                    + " could not be copied: " + e, e);
        }
    }

    /** Resolves classes through the message's own loader first. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException ignored) {
                    // fall back to the default resolution
                }
            }
            return super.resolveClass(desc);
        }
    }
}

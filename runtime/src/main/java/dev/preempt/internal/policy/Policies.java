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
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A deep copy by serialization in which the deeply immutable parts are shared rather than copied
     * ({@link SharingOutputStream}): a pid or a ref is not serializable (it stands for a live process or
     * a unique reference), and a mutable message carrying one, the usual reply-to request, could not be
     * sent under COPY at all ({@code NotSerializableException: dev.preempt.Pid}). Sharing what is immutable
     * is what IMMUTABLE does with the whole message, and it copies less.
     */
    private static Object deepCopy(Object message, String whyCopy) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        List<Object> shared = new ArrayList<>();
        try (ObjectOutputStream out = new SharingOutputStream(bytes, message, shared)) {
            out.writeObject(message);
        } catch (IOException e) {
            throw new MessageNotSharableException("message of type " + message.getClass().getName()
                    + " must be copied (" + whyCopy + ") but cannot be serialized: " + e, e);
        }
        ClassLoader loader = message.getClass().getClassLoader();
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()), loader, shared)) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new MessageNotSharableException("message of type " + message.getClass().getName()
                    + " could not be copied: " + e, e);
        }
    }

    /**
     * In the stream, a part of the message shared rather than copied.
     *
     * @param index its place in the shared list
     */
    private record Shared(int index) implements Serializable {}

    /** Writes every deeply immutable part of the message but the message itself as a {@link Shared}. */
    private static final class SharingOutputStream extends ObjectOutputStream {
        private final Object root;
        private final List<Object> shared;

        SharingOutputStream(OutputStream out, Object root, List<Object> shared) throws IOException {
            super(out);
            this.root = root;
            this.shared = shared;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (obj == root || obj instanceof String || Immutability.problem(obj) != null) return obj;
            shared.add(obj);
            return new Shared(shared.size() - 1);
        }
    }

    /** Resolves classes through the message's own loader first, and puts the shared parts back. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;
        private final List<Object> shared;

        LoaderObjectInputStream(InputStream in, ClassLoader loader, List<Object> shared) throws IOException {
            super(in);
            this.loader = loader;
            this.shared = shared;
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) {
            return obj instanceof Shared s ? shared.get(s.index()) : obj;
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

package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SendPolicyTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @AfterEach
    void defaultPolicy() {
        setSendPolicy(SendPolicy.IMMUTABLE);
    }

    enum Colour { RED }

    record Point(int x, int y) {}

    record Order(String id, List<String> items, Map<String, Integer> counts, Optional<Point> at) {}

    record Anything(Object value) {}

    static final class Holder {
        final String name;
        final Object payload;

        Holder(String name, Object payload) {
            this.name = name;
            this.payload = payload;
        }
    }

    static final class Counter {
        int n;
    }

    record Box(Counter counter) {}

    static final class Mutable implements Serializable {
        private static final long serialVersionUID = 1L;
        int n;
    }

    @Test
    void acceptsDeeplyImmutableMessages() {
        Procs.run(s, () -> {
            Pid me = self();
            for (Object ok : List.of("text", 42, 3.5, 'c', true, Colour.RED, new Point(1, 2), BigDecimal.ONE,
                    Instant.EPOCH, List.of(1, 2), Set.of("a"), Map.of("k", List.of(new Point(0, 0))),
                    new Order("o1", List.of("x"), Map.of("x", 1), Optional.of(new Point(3, 4))),
                    new Anything(List.of(Map.entry("k", "v"))), new Holder("h", List.of("p")), me, Ref.make(),
                    Collections.emptyList(), Optional.empty(), List.copyOf(new ArrayList<>(List.of(1))))) {
                send(me, ok);
                assertThat(receive()).isSameAs(ok);
            }
        });
    }

    @Test
    void rejectsMutableMessagesNamingTheClassAndField() {
        Procs.run(s, () -> {
            Pid me = self();
            assertThatThrownBy(() -> send(me, new ArrayList<>(List.of(1))))
                    .isInstanceOf(MessageNotSharableException.class)
                    .hasMessageContaining("java.util.ArrayList");
            assertThatThrownBy(() -> send(me, new Order("o", new ArrayList<>(), Map.of(), Optional.empty())))
                    .isInstanceOf(MessageNotSharableException.class)
                    .hasMessageContaining("Order.items")
                    .hasMessageContaining("java.util.ArrayList");
            assertThatThrownBy(() -> send(me, new Box(new Counter())))
                    .hasMessageContaining("Counter.n is not final");
            assertThatThrownBy(() -> send(me, new Anything(new int[] {1})))
                    .hasMessageContaining("Anything.value").hasMessageContaining("array");
            assertThatThrownBy(() -> send(me, new Holder("h", List.of(new StringBuilder()))))
                    .hasMessageContaining("Holder.payload[0]").hasMessageContaining("StringBuilder");
            assertThatThrownBy(() -> send(me, Collections.unmodifiableList(new ArrayList<>())))
                    .hasMessageContaining("Collections$UnmodifiableRandomAccessList");
            assertThatThrownBy(() -> send(me, new Anything(new IllegalStateException())))
                    .hasMessageContaining("exception");
            assertThatThrownBy(() -> send(me, null)).isInstanceOf(NullPointerException.class);
            assertThat(receive(java.time.Duration.ZERO)).as("nothing was delivered").isEmpty();
        });
    }

    @Test
    void copyPolicyDeepCopiesSerializableMutableMessages() {
        setSendPolicy(SendPolicy.COPY);
        Procs.run(s, () -> {
            Pid me = self();
            Mutable m = new Mutable();
            m.n = 7;
            send(me, m);
            m.n = 8; // the receiver's copy does not change
            Mutable got = receive(Mutable.class);
            assertThat(got).isNotSameAs(m);
            assertThat(got.n).isEqualTo(7);
            String immutable = "shared as is";
            send(me, immutable);
            assertThat(receive()).isSameAs(immutable);
            assertThatThrownBy(() -> send(me, new Counter()))
                    .isInstanceOf(MessageNotSharableException.class).hasMessageContaining("cannot be serialized");
        });
    }

    /** A reply-to request under COPY: a serializable record with an array that also carries the sender's pid. */
    record Request(Pid from, int[] data) implements Serializable {}

    /**
     * The immutable parts of a message that COPY copies are shared, not serialized: a pid (which is not
     * serializable: it stands for a live process) inside a mutable message made the whole send fail with
     * {@code NotSerializableException: dev.preempt.Pid}, though pids are messages' usual parts (found by a
     * helper sending the reply-to pattern under COPY).
     */
    @Test
    void copyPolicySharesTheImmutablePartsOfWhatItCopies() {
        setSendPolicy(SendPolicy.COPY);
        Procs.run(s, () -> {
            Pid me = self();
            int[] data = {1, 2, 3};
            send(me, new Request(me, data));
            data[0] = 99;
            Request got = receive(Request.class);
            assertThat(got.from()).isEqualTo(me);
            assertThat(got.data()).containsExactly(1, 2, 3);
            Ref ref = Ref.make();
            ArrayList<Object> list = new ArrayList<>(List.of(me, ref, "text"));
            send(me, list);
            @SuppressWarnings("unchecked")
            List<Object> gotList = receive(List.class);
            assertThat(gotList).isNotSameAs(list).containsExactly(me, ref, "text");
            assertThat(gotList.get(0)).isSameAs(me);
            send((Pid) gotList.get(0), "the copied pid reaches its process");
            assertThat(receive(String.class)).isEqualTo("the copied pid reaches its process");
        });
    }

    @Test
    void trustPolicySendsAnything() {
        setSendPolicy(SendPolicy.TRUST);
        Procs.run(s, () -> {
            Pid me = self();
            Counter c = new Counter();
            send(me, c);
            assertThat(receive()).isSameAs(c);
        });
    }
}

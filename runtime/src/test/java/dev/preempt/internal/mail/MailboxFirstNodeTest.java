package dev.preempt.internal.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mailbox starts with no stub node (see {@link Mailbox}'s class comment): the first node pushed is
 * linked into the mailbox itself. These are the edges of that: nothing pushed yet, the first node still
 * untaken at close, and the first node not kept alive once the queue has moved past it.
 */
class MailboxFirstNodeTest {

    @Test
    void aMailboxNothingWasPushedToIsEmptyAndCloses() {
        Mailbox box = new Mailbox();
        assertThat(box.hasIncoming()).isFalse();
        assertThat(box.approximateLength()).isZero();
        box.drain(s -> { throw new AssertionError("nothing to drain: " + s); });
        box.close();
        List<Object> handed = new ArrayList<>();
        box.drainClosed(s -> handed.add(s.payload()));
        assertThat(handed).isEmpty();
        assertThat(box.push(new Signal(Signal.MESSAGE, "late"))).isFalse();
    }

    @Test
    void theFirstNodeIsDrainedInOrderLikeAnyOther() {
        Mailbox box = new Mailbox();
        assertThat(box.push(new Signal(Signal.MESSAGE, "a"))).isTrue();
        assertThat(box.hasIncoming()).isTrue();
        assertThat(box.approximateLength()).isEqualTo(1);
        assertThat(box.push(new Signal(Signal.MESSAGE, "b"))).isTrue();
        assertThat(box.approximateLength()).isEqualTo(2);
        box.drain(s -> { throw new AssertionError("no system signal was sent: " + s); });
        assertThat(box.hasIncoming()).isFalse();
        assertThat(box.messages()).containsExactly("a", "b");
        assertThat(box.push(new Signal(Signal.MESSAGE, "c"))).isTrue();
        assertThat(box.hasIncoming()).isTrue();
        box.drain(s -> { throw new AssertionError(s.toString()); });
        assertThat(box.messages()).containsExactly("a", "b", "c");
    }

    @Test
    void aFirstNodeNotYetTakenAtCloseIsHandedOver() {
        Mailbox box = new Mailbox();
        assertThat(box.push(new Signal(Signal.MESSAGE, "a"))).isTrue();
        assertThat(box.push(new Signal(3, "exit"))).isTrue();
        box.close();
        assertThat(box.hasIncoming()).as("closed").isFalse();
        List<Object> handed = new ArrayList<>();
        box.drainClosed(s -> handed.add(s.payload()));
        assertThat(handed).containsExactly("a", "exit");
        assertThat(box.push(new Signal(Signal.MESSAGE, "late"))).isFalse();
    }

    @Test
    void theFirstNodeIsNotKeptAliveOnceTheQueueHasMovedPastIt() throws InterruptedException {
        Mailbox box = new Mailbox();
        Signal first = new Signal(Signal.MESSAGE, "first");
        WeakReference<Signal> gone = new WeakReference<>(first);
        box.push(first);
        first = null;
        box.drain(s -> {});
        box.push(new Signal(Signal.MESSAGE, "second")); // the first node is head now; this moves head on
        box.drain(s -> {});
        assertThat(box.takeFirst(null, x -> true)).isEqualTo("first");
        assertThat(box.takeFirst(null, x -> true)).isEqualTo("second");
        for (int i = 0; i < 10 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(gone.get()).as("the first node, after the owner took it and the one after it").isNull();
    }
}

package dev.preempt.internal.jfr;

import java.util.Iterator;
import java.util.Set;

/**
 * Why the VM refused a yield, guessed from the current stack. Only called while the Pinned event is
 * enabled: it walks the stack, which costs microseconds.
 */
final class PinReason {

    static final String CLASS_INITIALIZER = "class initializer";
    static final String NATIVE_FRAME = "native frame";
    static final String OTHER = "monitor held or VM refused";

    /** Reflection frames shown: a native one among them ({@code NativeMethodAccessorImpl.invoke0}) pins. */
    private static final StackWalker WALKER = StackWalker.getInstance(
            Set.of(StackWalker.Option.SHOW_REFLECT_FRAMES, StackWalker.Option.SHOW_HIDDEN_FRAMES));

    private PinReason() {}

    /**
     * A {@code <clinit>} frame wins over a native one (a class initialiser is run by the VM, whatever
     * it calls). With neither, the VM refused for another reason (on JDK 21, a monitor held).
     */
    static String ofCurrentStack() {
        return WALKER.walk(frames -> {
            String reason = OTHER;
            for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                if ("<clinit>".equals(f.getMethodName())) return CLASS_INITIALIZER;
                if (f.isNativeMethod()) reason = NATIVE_FRAME;
            }
            return reason;
        });
    }
}

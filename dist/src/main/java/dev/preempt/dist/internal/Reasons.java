package dev.preempt.dist.internal;

import dev.preempt.ExitReason;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Binary;
import dev.preempt.dist.Tuple;
import dev.preempt.dist.UnmappableTermException;

/**
 * Exit reasons across the wire: {@code normal} ↔ the atom {@code normal}; a named reason ↔ an atom;
 * {@code {name, detail}} ↔ a 2-tuple with an atom first; an exception (no Erlang form) → {@code
 * {exception, <<"java.lang.IllegalStateException: boom">>}}. Any other Erlang reason becomes a reason
 * named {@code erlang} whose detail is the term. Stateless.
 */
public final class Reasons {

    private Reasons() {}

    /**
     * The Erlang term for {@code r}.
     *
     * @param r the reason
     * @return a term the encoder can write (a detail with no mapping is sent as its text)
     */
    public static Object toTerm(ExitReason r) {
        if (r.exceptionCause().isPresent()) {
            return Tuple.of(Atom.of("exception"), Binary.of(String.valueOf(r.exceptionCause().get())));
        }
        if (r.detail().isEmpty()) return Atom.of(r.name());
        Object detail = r.detail().get();
        try {
            new TermEncoder(Identity.NO_NODE).encode(detail);
        } catch (UnmappableTermException e) {
            detail = Binary.of(String.valueOf(detail));
        }
        return Tuple.of(Atom.of(r.name()), detail);
    }

    /**
     * The reason an Erlang term stands for.
     *
     * @param t the term
     * @return the reason
     */
    public static ExitReason fromTerm(Object t) {
        if (t instanceof Atom a) return ExitReason.of(a.name());
        if (t instanceof Tuple tu && tu.arity() == 2 && tu.get(0) instanceof Atom a) return ExitReason.of(a.name(), tu.get(1));
        return ExitReason.of("erlang", t);
    }
}

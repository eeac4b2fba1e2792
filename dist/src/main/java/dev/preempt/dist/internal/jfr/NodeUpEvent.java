package dev.preempt.dist.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection to another node came up (its handshake succeeded). */
@Name("dev.preempt.NodeUp")
@Label("Node Up")
@Description("A connection to another Erlang node came up")
@Category({"Preempt", "Distribution"})
@StackTrace(false)
final class NodeUpEvent extends jdk.jfr.Event {

    @Label("Node")
    @Description("The peer's node name")
    String node;

    @Label("Initiated")
    @Description("True if this node connected, false if the peer did")
    boolean initiated;
}

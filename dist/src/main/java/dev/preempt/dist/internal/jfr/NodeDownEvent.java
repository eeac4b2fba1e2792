package dev.preempt.dist.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection that was up went down. */
@Name("dev.preempt.NodeDown")
@Label("Node Down")
@Description("A connection to another Erlang node went down")
@Category({"Preempt", "Distribution"})
@StackTrace(false)
final class NodeDownEvent extends jdk.jfr.Event {

    @Label("Node")
    String node;

    @Label("Reason")
    @Description("connection_closed, net_tick_timeout, node_stopped, ...")
    String reason;

    @Label("Frames In")
    long framesIn;

    @Label("Frames Out")
    long framesOut;

    @Label("Bytes In")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @DataAmount
    long bytesOut;
}

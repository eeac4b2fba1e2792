package dev.preempt.dist.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** Periodic: one per connection, the traffic so far (frames and bytes each way, ticks excluded). */
@Name("dev.preempt.DistributionSample")
@Label("Distribution Sample")
@Description("Traffic on one connection to another Erlang node, since it came up")
@Category({"Preempt", "Distribution"})
@Period("1 s")
@StackTrace(false)
final class DistributionSampleEvent extends jdk.jfr.Event {

    @Label("Node")
    String node;

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

    @Label("Queued")
    @Description("Frames waiting in the connection's queue")
    long queued;
}

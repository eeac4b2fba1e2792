%% Scheduling gaps beside CPU hogs, on BEAM: the same program as dev.preempt.bench.TailGap.
%% N hog processes count for ever; one spinner process reads erlang:monotonic_time(nanosecond) in a
%% loop and records every gap over 20 us between two consecutive reads as time it was descheduled.
%% After a 1 s warm-up it measures 5 s and prints gaps over 1 ms per second, the median, p99 and
%% largest gap, and the fraction of the window spent in gaps.
%% Run (all three hog counts, or the ones named; a number past 1000 is the window in milliseconds):
%%   erlc tail_gap.erl && erl +S 2 -noshell -s tail_gap main -s init stop
%%   erl +S 2 -noshell -s tail_gap main 64 -s init stop
%%   erl +S 2 -noshell -s tail_gap main 8 64 10000 -s init stop
%% java -jar benchmarks/target/benchmarks.jar tail runs it beside Preempt (dev.preempt.bench.TailSuite).
-module(tail_gap).
-export([main/0, main/1, hog/1]).

-define(THRESHOLD, 20000).
-define(WARMUP_NS, 1000000000).
-define(WINDOW_MS, 5000).

main() -> main(['0', '8', '64']).

main(Args) ->
    io:format("otp ~s schedulers ~p~n", [erlang:system_info(otp_release), erlang:system_info(schedulers_online)]),
    Ns = [list_to_integer(atom_to_list(A)) || A <- Args],
    Window = case [N || N <- Ns, N > 1000] of
                 [] -> ?WINDOW_MS;
                 [W | _] -> W
             end,
    Counts = case [N || N <- Ns, N =< 1000] of
                 [] -> [0, 8, 64];
                 Cs -> Cs
             end,
    [run(C, Window * 1000000) || C <- Counts],
    ok.

now_ns() -> erlang:monotonic_time(nanosecond).

hog(C) -> hog(C + 1).

run(Hogs, WindowNs) ->
    HogPids = [spawn(?MODULE, hog, [0]) || _ <- lists:seq(1, Hogs)],
    timer:sleep(100),
    Self = self(),
    spawn(fun() ->
                  T0 = now_ns(),
                  _ = spin(T0 + ?WARMUP_NS, T0, []), % the same loop as measured, results dropped
                  T1 = now_ns(),
                  {Gaps, Last} = spin(T1 + WindowNs, T1, []),
                  Self ! {gaps, Gaps, Last - T1, T1}
          end),
    receive {gaps, Gaps, Window, T1} -> ok end,
    [exit(P, kill) || P <- HogPids],
    report(Hogs, Gaps, Window, T1).

%% Reads the clock until Until; returns {Gaps, LastRead}, the gaps (ns) over the threshold.
spin(Until, Last, Acc) ->
    Now = now_ns(),
    D = Now - Last,
    Acc1 = case D > ?THRESHOLD of
               true -> [D | Acc];
               false -> Acc
           end,
    case Now >= Until of
        true -> {Acc1, Now};
        false -> spin(Until, Now, Acc1)
    end.

%% The window on the OS's CLOCK_MONOTONIC (ns), to line it up with a perf trace.
os_monotonic_ns(ErtsNs) ->
    Os = proplists:get_value(time, erlang:system_info(os_monotonic_time_source)),
    Offset = erlang:convert_time_unit(Os, native, nanosecond) - now_ns(),
    ErtsNs + Offset.

report(Hogs, Gaps, Window, T1) ->
    S = lists:sort(Gaps),
    N = length(S),
    Secs = Window / 1.0e9,
    Over = length([G || G <- S, G > 1000000]),
    Sum = lists:sum(S),
    Start = os_monotonic_ns(T1),
    io:format("tailgap system=beam hogs=~p seconds=~.1f gaps=~p over1msPerSec=~.2f p50us=~.1f p99us=~.1f maxus=~.1f descheduled=~.4f"
              " windowStartNs=~p windowEndNs=~p~n",
              [Hogs, Secs, N, Over / Secs, pct(S, N, 50), pct(S, N, 99), last(S) / 1000, Sum / Window, Start, Start + Window]).

pct([], _, _) -> 0.0;
pct(S, N, P) -> lists:nth(min(N, (N * P) div 100 + 1), S) / 1000.

last([]) -> 0;
last(S) -> lists:last(S).

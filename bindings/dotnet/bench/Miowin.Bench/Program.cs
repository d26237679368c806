// The driver: runs the echo (Echo.cs) on miowin's async layer and on NetworkStream in the same
// process, alternating which goes first from one repeat to the next so that drift on a shared
// machine falls on both, and prints every run and then a table of the best run of each.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Miowin;
using Miowin.Bench;

const string Usage = """
usage: Miowin.Bench [--connections 100,2000] [--seconds S] [--size BYTES] [--repeats R] [--budget S] [--timeout S] [--stack NAME] [--smoke]
  --connections  the connection counts to run, each with one message in flight per connection
  --seconds      how long each run sends (default 3); every client sends at least once
  --size         the message size in bytes, at least 8 (default 64)
  --repeats      runs of each stack at each count; the table shows the best (default 5)
  --budget       starts no further repeat at a count once its runs took this many seconds (default 120):
                 under Wine one round of 2,000 connections takes minutes
  --timeout      gives up (exit 3) after this many seconds (default 540)
  --stack        runs only MiowStream or only NetworkStream (for profiling one, as with strace -c)
  --smoke        a check that it runs: 10 connections, 0.5 s, one repeat
""";

int[] counts = { 100, 2000 };
double seconds = 3;
int size = 64, repeats = 5, timeout = 540, budget = 120;
string? only = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--connections": counts = Next().Split(',').Select(Positive).ToArray(); break;
            case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); if (!(seconds > 0)) throw new ArgumentException("--seconds must be positive"); break;
            case "--size": size = Positive(Next()); break;
            case "--repeats": repeats = Positive(Next()); break;
            case "--timeout": timeout = Positive(Next()); break;
            case "--budget": budget = Positive(Next()); break;
            case "--stack": only = Next() is "MiowStream" or "NetworkStream" ? args[i] : throw new ArgumentException("--stack takes MiowStream or NetworkStream"); break;
            case "--smoke": counts = new[] { 10 }; seconds = 0.5; repeats = 1; break;
            case "-h" or "--help": Console.Write(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    if (size < 8) throw new ArgumentException("--size must be at least 8 (the echo's check header)");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.Write($"Miowin.Bench: {e.Message}\n{Usage}");
    return 2;
}

// A hung run must not hold the machine: the whole benchmark has a deadline.
var watchdog = new Thread(() =>
{
    Thread.Sleep(TimeSpan.FromSeconds(timeout));
    Console.Error.WriteLine($"Miowin.Bench: not done after {timeout} s; giving up");
    Environment.Exit(3);
}) { IsBackground = true };
watchdog.Start();

Console.WriteLine($"miowin {MiowLibrary.VersionString} ({MiowLibrary.ResolutionMechanism}), {RuntimeInformation.FrameworkDescription}, " +
                  $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} processors");
Console.WriteLine($"echo: {size}-byte messages, one in flight per connection, {seconds} s per run, best of {repeats}");

var stacks = new (string Name, Func<Transport> Make)[] { ("MiowStream", () => new MiowTransport()), ("NetworkStream", () => new SocketTransport()) }
    .Where(s => only == null || s.Name == only).ToArray();
// Warm-up: the JIT's tiers settle before anything is timed.
foreach ((_, Func<Transport> make) in stacks)
{
    using Transport t = make();
    await Echo.RunAsync(t, 10, TimeSpan.FromSeconds(0.5), size);
}

var best = new Dictionary<(int, string), EchoResult>();
foreach (int connections in counts)
{
    long countStart = Stopwatch.GetTimestamp();
    for (int r = 0; r < repeats && (r == 0 || Stopwatch.GetElapsedTime(countStart).TotalSeconds < budget); r++)
    {
        // Alternate the order: MiowStream first on even repeats, NetworkStream first on odd ones.
        foreach ((_, Func<Transport> make) in r % 2 == 0 ? stacks : stacks.Reverse())
        {
            using Transport t = make();
            EchoResult result = await Echo.RunAsync(t, connections, TimeSpan.FromSeconds(seconds), size);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {connections,5} connections  {t.Name,-13}  run {r + 1}: {result.EchoesPerSecond,9:F0} echoes/s, " +
                $"median {result.MedianMicroseconds,8:F0} us, p99 {result.P99Microseconds,8:F0} us ({result.Echoes} echoes in {result.Seconds:F1} s; connecting took {result.SetupSeconds:F1} s)"));
            if (!best.TryGetValue((connections, t.Name), out EchoResult? b) || result.EchoesPerSecond > b.EchoesPerSecond)
                best[(connections, t.Name)] = result;
        }
    }
}

if (stacks.Length < 2) return 0;
// Ratios are MiowStream over NetworkStream: above 1 for throughput, below 1 for latency, is better.
Console.WriteLine();
Console.WriteLine("| connections | NetworkStream echoes/s | MiowStream echoes/s | throughput ratio | NetworkStream median / p99 us | MiowStream median / p99 us | median latency ratio |");
Console.WriteLine("|------------:|-----------------------:|--------------------:|-----------------:|------------------------------:|---------------------------:|---------------------:|");
foreach (int connections in counts)
{
    EchoResult net = best[(connections, "NetworkStream")], miow = best[(connections, "MiowStream")];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {connections:N0} | {net.EchoesPerSecond:N0} | {miow.EchoesPerSecond:N0} | {miow.EchoesPerSecond / net.EchoesPerSecond:G2} | " +
        $"{net.MedianMicroseconds:N0} / {net.P99Microseconds:N0} | {miow.MedianMicroseconds:N0} / {miow.P99Microseconds:N0} | " +
        $"{miow.MedianMicroseconds / net.MedianMicroseconds:G3} |"));
}
return 0;

static int Positive(string text)
{
    int value = int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    return value > 0 ? value : throw new ArgumentException($"{text}: a positive number is needed");
}

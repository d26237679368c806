// One run of the echo workload on one transport: C connections, each a client that sends a
// message, waits for all of it to come back, checks it and sends the next, one message in flight
// per connection, against a server task per connection that writes back what it reads. Each run
// lasts a set time rather than a set number of echoes, so that a slow stack (Wine) still ends
// when expected. Only the echo phase is timed; connecting and closing are not.
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Miowin.Bench
{
    /// <summary>What one run measured: the echo phase's length and every round trip.</summary>
    internal sealed record EchoResult(int Connections, int Echoes, double Seconds, double MedianMicroseconds, double P99Microseconds,
                                      double SetupSeconds)
    {
        internal double EchoesPerSecond => Echoes / Seconds;
    }

    internal static class Echo
    {
        /// <summary>How many connects are in flight at once while the connections are made.</summary>
        private const int ConnectBatch = 100;

        internal static async Task<EchoResult> RunAsync(Transport transport, int connections, TimeSpan duration, int size)
        {
            long setup = Stopwatch.GetTimestamp();
            Task<Task[]> serving = AcceptAllAsync(transport, connections, size);
            var clients = new List<Stream>(connections);
            try
            {
                for (int i = 0; i < connections; i += ConnectBatch)
                {
                    int batch = Math.Min(ConnectBatch, connections - i);
                    clients.AddRange(await Task.WhenAll(Enumerable.Range(0, batch).Select(_ => transport.ConnectAsync())));
                }
                Task[] servers = await serving;
                double setupSeconds = Stopwatch.GetElapsedTime(setup).TotalSeconds;

                // The start gate carries the time at which clients stop sending (each finishes its echo).
                var start = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                Task<List<long>>[] running = clients.Select((c, id) => ClientAsync(c, id, size, start.Task)).ToArray();
                long t0 = Stopwatch.GetTimestamp();
                start.SetResult(t0 + (long)(duration.TotalSeconds * Stopwatch.Frequency));
                List<long>[] roundTrips = await Task.WhenAll(running);
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;

                foreach (Stream c in clients) c.Dispose();
                clients.Clear();
                await Task.WhenAll(servers); // each ends at its client's end of stream

                long[] all = roundTrips.SelectMany(r => r).ToArray();
                Array.Sort(all);
                return new EchoResult(connections, all.Length, seconds, Microseconds(all[all.Length / 2]),
                                      Microseconds(all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]), setupSeconds);
            }
            finally
            {
                foreach (Stream c in clients) c.Dispose();
            }
        }

        private static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

        private static async Task<Task[]> AcceptAllAsync(Transport transport, int connections, int size)
        {
            var servers = new Task[connections];
            for (int i = 0; i < connections; i++) servers[i] = ServeAsync(await transport.AcceptAsync(), size);
            return servers;
        }

        private static async Task ServeAsync(Stream stream, int size)
        {
            await Task.Yield(); // the accept loop goes on at once
            using (stream)
            {
                var buffer = new byte[size];
                int n;
                while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                    await stream.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
            }
        }

        /// <summary>The round trips of one client, in Stopwatch ticks; throws if a byte came back wrong.</summary>
        private static async Task<List<long>> ClientAsync(Stream stream, int id, int size, Task<long> start)
        {
            var message = new byte[size];
            var back = new byte[size];
            for (int i = 8; i < size; i++) message[i] = (byte)(id + i);
            var roundTrips = new List<long>(1024);
            long stopAt = await start.ConfigureAwait(false);
            for (int m = 0; m == 0 || Stopwatch.GetTimestamp() < stopAt; m++)
            {
                // The client and the message number in the first 8 bytes: a mixed-up echo is caught.
                BinaryPrimitives.WriteInt32LittleEndian(message, id);
                BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), m);
                long t0 = Stopwatch.GetTimestamp();
                await stream.WriteAsync(message).ConfigureAwait(false);
                int got = 0;
                while (got < size)
                {
                    int n = await stream.ReadAsync(back.AsMemory(got)).ConfigureAwait(false);
                    if (n == 0) throw new EndOfStreamException($"connection {id}: end of stream after {got} of {size} bytes of echo {m}");
                    got += n;
                }
                roundTrips.Add(Stopwatch.GetTimestamp() - t0);
                if (!back.AsSpan().SequenceEqual(message)) throw new InvalidDataException($"connection {id}: echo {m} came back altered");
            }
            return roundTrips;
        }
    }
}

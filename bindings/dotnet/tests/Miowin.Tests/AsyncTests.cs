// The async layer: MiowLoop, MiowAttachment and MiowStream (net8.0 build only).
#if !MIOWIN_NETSTANDARD
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class AsyncTests
    {
        private const int Limit = 120_000;

        private static async Task<(MiowStream Client, MiowStream Server)> ConnectedPair(MiowLoop loop, MiowAttachment listener)
        {
            var client = new MiowStream(loop, MiowTcpStream.Connect(((MiowTcpListener)listener.Source).LocalAddress));
            (MiowTcpStream accepted, _) = await listener.AcceptAsync();
            await client.Attachment.ConnectedAsync();
            return (client, new MiowStream(loop, accepted));
        }

        [Fact(Timeout = Limit)]
        public async Task Streams_echo_through_the_loop()
        {
            using var loop = new MiowLoop();
            using var listenerSource = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using MiowAttachment listener = loop.Attach(listenerSource);
            (MiowStream client, MiowStream server) = await ConnectedPair(loop, listener);
            using (client)
            using (server)
            {
                byte[] payload = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7)).ToArray();
                Task echo = Task.Run(async () =>
                {
                    var buffer = new byte[65536];
                    int total = 0;
                    while (total < payload.Length)
                    {
                        int n = await server.ReadAsync(buffer);
                        Assert.NotEqual(0, n);
                        await server.WriteAsync(buffer.AsMemory(0, n));
                        total += n;
                    }
                });
                Task send = client.WriteAsync(payload).AsTask();
                var back = new byte[payload.Length];
                int got = 0;
                while (got < back.Length) got += await client.ReadAsync(back.AsMemory(got));
                await send;
                await echo;
                Assert.Equal(payload, back);
                // The synchronous Span forms block on the same loop.
                client.Write("sync"u8);
                var four = new byte[4];
                int r = 0;
                while (r < 4) r += server.Read(four.AsSpan(r));
                Assert.Equal("sync"u8.ToArray(), four);
            }
        }

        [Fact(Timeout = Limit)]
        public async Task A_cancelled_read_throws_and_leaves_the_stream_usable()
        {
            using var loop = new MiowLoop();
            using var listenerSource = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using MiowAttachment listener = loop.Attach(listenerSource);
            (MiowStream client, MiowStream server) = await ConnectedPair(loop, listener);
            using (client)
            using (server)
            {
                using var cts = new CancellationTokenSource();
                ValueTask<int> pending = server.ReadAsync(new byte[16], cts.Token);
                await Task.Delay(50);
                Assert.False(pending.IsCompleted);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
                // No waiter is left behind: the next read gets the data.
                await client.WriteAsync(new byte[] { 1, 2, 3 });
                var buffer = new byte[16];
                Assert.Equal(3, await server.ReadAsync(buffer));
                // A token cancelled before the call never waits.
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => Assert.Equal(0, await server.ReadAsync(buffer, new CancellationToken(true))));
            }
        }

        [Fact(Timeout = Limit)]
        public async Task Disposing_the_loop_ends_a_pending_await_with_ObjectDisposedException()
        {
            var loop = new MiowLoop();
            using var listenerSource = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            MiowAttachment listener = loop.Attach(listenerSource);
            (MiowStream client, MiowStream server) = await ConnectedPair(loop, listener);
            using (client)
            using (server)
            {
                ValueTask<int> pending = server.ReadAsync(new byte[16]);
                // A raw readiness await may complete at once for an event it had kept (an earlier
                // accept's): a stream read retries until it truly waits.
                ValueTask<int> other = client.ReadAsync(new byte[16]);
                await Task.Delay(50);
                Assert.False(pending.IsCompleted);
                Assert.False(other.IsCompleted);
                loop.Dispose();
                await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending);
                await Assert.ThrowsAsync<ObjectDisposedException>(async () => await other);
                Assert.Throws<ObjectDisposedException>(() => loop.Attach(listenerSource));
            }
        }

        [Fact(Timeout = Limit)]
        public async Task Two_thousand_concurrent_streams_echo()
        {
            const int Connections = 1000; // 2,000 streams: each client and its accepted end
            const int Size = 4096;
            using var loop = new MiowLoop();
            using var listenerSource = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using MiowAttachment listener = loop.Attach(listenerSource);
            var servers = new List<Task>();
            Task acceptAll = Task.Run(async () =>
            {
                for (int i = 0; i < Connections; i++)
                {
                    (MiowTcpStream accepted, _) = await listener.AcceptAsync();
                    var server = new MiowStream(loop, accepted);
                    lock (servers) servers.Add(Task.Run(async () =>
                    {
                        using (server)
                        {
                            var buffer = new byte[Size];
                            int n;
                            while ((n = await server.ReadAsync(buffer)) > 0) await server.WriteAsync(buffer.AsMemory(0, n));
                        }
                    }));
                }
            });
            IPEndPoint address = listenerSource.LocalAddress;
            Task[] clients = Enumerable.Range(0, Connections).Select(i => Task.Run(async () =>
            {
                using var client = new MiowStream(loop, MiowTcpStream.Connect(address));
                await client.Attachment.ConnectedAsync();
                byte[] payload = Enumerable.Range(0, Size).Select(k => (byte)(i + k)).ToArray();
                await client.WriteAsync(payload);
                var back = new byte[Size];
                int got = 0;
                while (got < Size)
                {
                    int n = await client.ReadAsync(back.AsMemory(got));
                    Assert.NotEqual(0, n);
                    got += n;
                }
                Assert.Equal(payload, back);
            })).ToArray();
            await Task.WhenAll(clients);
            await acceptAll;
            Task[] serverTasks;
            lock (servers) serverTasks = servers.ToArray();
            await Task.WhenAll(serverTasks);
        }
    }
}
#endif

// Named pipe servers of several instances (miowin 1.2): one name serving several clients at once,
// ERROR_PIPE_BUSY (MiowErrorCode.PipeBusy, an IOException) only beyond the instance limit, and the
// first-instance flag.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class PipeInstanceTests
    {
        private const int Limit = 60_000;

        private static int _counter;

        private static Task Bounded(Action body) => Task.Run(body);

        internal static string PipeName() =>
            $@"\\.\pipe\miowin-dotnet-instances-{Process.GetCurrentProcess().Id}-{Interlocked.Increment(ref _counter)}";

        /// <summary>Reads exactly <paramref name="count"/> bytes, waiting for the pipe's events.</summary>
        internal static byte[] ReadExactly(Selector selector, ulong token, MiowNamedPipe pipe, int count)
        {
            var data = new byte[count];
            int have = 0;
            var clock = Stopwatch.StartNew();
            while (have < count)
            {
                if (pipe.TryRead(data, have, count - have, out int n))
                {
                    Assert.True(n > 0, $"end of stream after {have} of {count} bytes");
                    have += n;
                    continue;
                }
                Assert.True(clock.Elapsed < Support.EventLimit, $"only {have} of {count} bytes arrived");
                Support.WaitFor(selector, token);
            }
            return data;
        }

        /// <summary>Waits until the server instance has its client (the connect's writable event).</summary>
        internal static void Connect(Selector selector, ulong token, MiowNamedPipeServer server)
        {
            var clock = Stopwatch.StartNew();
            while (!server.TryConnect())
            {
                Assert.True(clock.Elapsed < Support.EventLimit, "the client never connected");
                Support.WaitFor(selector, token);
            }
        }

        [Fact(Timeout = Limit)]
        public Task ThreeInstancesServeThreeClientsAtOnceAndTheFourthIsBusy() => Bounded(() =>
        {
            const int instances = 3;
            string name = PipeName();
            using var selector = new Selector();
            var servers = new List<MiowNamedPipeServer>();
            var clients = new List<MiowNamedPipeClient>();
            try
            {
                servers.Add(MiowNamedPipeServer.Create(name, instances, firstInstance: true));
                for (int i = 1; i < instances; i++) servers.Add(MiowNamedPipeServer.Create(name, instances, firstInstance: false));
                // A fourth instance is beyond the limit.
                MiowIOException busy = Support.AssertMiowError<MiowIOException>(MiowErrorCode.PipeBusy,
                    () => MiowNamedPipeServer.Create(name, instances, firstInstance: false));
                Assert.IsAssignableFrom<IOException>(busy);

                for (int i = 0; i < instances; i++)
                {
                    servers[i].Register(selector, (ulong)(10 + i), Interest.Readable | Interest.Writable);
                    servers[i].TryConnect();
                }
                for (int i = 0; i < instances; i++)
                {
                    MiowNamedPipeClient client = MiowNamedPipeClient.Open(name);
                    clients.Add(client);
                    client.Register(selector, (ulong)(20 + i), Interest.Readable | Interest.Writable);
                }
                // Every instance has its client: one more client is ERROR_PIPE_BUSY.
                Support.AssertMiowError<MiowIOException>(MiowErrorCode.PipeBusy, () => MiowNamedPipeClient.Open(name));
                for (int i = 0; i < instances; i++) Connect(selector, (ulong)(10 + i), servers[i]);

                // All three connections are live at once: each client's bytes reach one server
                // instance, and each instance echoes them to its own client.
                for (int i = 0; i < instances; i++)
                {
                    PipeTests.WriteAll(selector, (ulong)(20 + i), clients[i], Encoding.ASCII.GetBytes($"client {i}"));
                }
                var seen = new HashSet<string>();
                for (int i = 0; i < instances; i++)
                {
                    byte[] got = ReadExactly(selector, (ulong)(10 + i), servers[i], "client 0".Length);
                    seen.Add(Encoding.ASCII.GetString(got));
                    PipeTests.WriteAll(selector, (ulong)(10 + i), servers[i], got);
                }
                Assert.Equal(Enumerable.Range(0, instances).Select(i => $"client {i}").ToHashSet(), seen);
                for (int i = 0; i < instances; i++)
                {
                    byte[] echo = ReadExactly(selector, (ulong)(20 + i), clients[i], "client 0".Length);
                    Assert.Equal($"client {i}", Encoding.ASCII.GetString(echo));
                }

                // A disconnected instance listens again after TryConnect, and takes the next client.
                clients[0].Dispose();
                servers[0].Disconnect();
                Assert.False(servers[0].TryConnect());
                using MiowNamedPipeClient next = MiowNamedPipeClient.Open(name);
                Connect(selector, 10, servers[0]);
            }
            finally
            {
                foreach (MiowNamedPipeClient c in clients) c.Dispose();
                foreach (MiowNamedPipeServer s in servers) s.Dispose();
            }
        });

        [Fact(Timeout = Limit)]
        public Task UnlimitedServerKeepsAnInstanceListeningWhileItServesTwentyClients() => Bounded(() =>
        {
            const int count = 20;
            string name = PipeName();
            using var selector = new Selector();
            var servers = new List<MiowNamedPipeServer>();
            var clients = new List<MiowNamedPipeClient>();
            try
            {
                servers.Add(MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: true));
                for (int i = 0; i < count; i++)
                {
                    // The newest instance is listening: a client gets it, and the server makes the
                    // next one before serving this client, so no client ever sees PipeBusy.
                    MiowNamedPipeServer listening = servers[servers.Count - 1];
                    listening.Register(selector, (ulong)(1000 + i), Interest.Readable | Interest.Writable);
                    listening.TryConnect();
                    MiowNamedPipeClient client = MiowNamedPipeClient.Open(name);
                    clients.Add(client);
                    client.Register(selector, (ulong)(2000 + i), Interest.Readable | Interest.Writable);
                    Connect(selector, (ulong)(1000 + i), listening);
                    servers.Add(MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: false));
                }
                byte[] payload = Enumerable.Range(0, 4096).Select(b => (byte)b).ToArray();
                for (int i = 0; i < count; i++) PipeTests.WriteAll(selector, (ulong)(2000 + i), clients[i], payload);
                for (int i = 0; i < count; i++)
                {
                    byte[] got = ReadExactly(selector, (ulong)(1000 + i), servers[i], payload.Length);
                    Assert.Equal(payload, got);
                    PipeTests.WriteAll(selector, (ulong)(1000 + i), servers[i], got);
                }
                for (int i = 0; i < count; i++) Assert.Equal(payload, ReadExactly(selector, (ulong)(2000 + i), clients[i], payload.Length));
            }
            finally
            {
                foreach (MiowNamedPipeClient c in clients) c.Dispose();
                foreach (MiowNamedPipeServer s in servers) s.Dispose();
            }
        });

        [Fact(Timeout = Limit)]
        public Task FirstInstanceRefusesAnExistingName() => Bounded(() =>
        {
            string name = PipeName();
            using MiowNamedPipeServer first = MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: true);
            if (Wine.IsRunning)
            {
                // Wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE (docs/pipes.md): the instance joins.
                Exception? error = Record.Exception(() =>
                    MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: true).Dispose());
                if (error == null) Wine.Note("FILE_FLAG_FIRST_PIPE_INSTANCE was ignored, as docs/pipes.md says");
                else Assert.Equal(MiowErrorCode.AddressInUse, Assert.IsType<MiowIOException>(error).Code);
            }
            else
            {
                Support.AssertMiowError<MiowIOException>(MiowErrorCode.AddressInUse,
                    () => MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: true));
            }
            // Without the flag it joins the name.
            using MiowNamedPipeServer second = MiowNamedPipeServer.Create(name, MiowNamedPipeServer.UnlimitedInstances, firstInstance: false);
            Assert.Equal(name, second.Name);
        });

        [Fact(Timeout = Limit)]
        public Task InstanceCountAndNameAreChecked() => Bounded(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => MiowNamedPipeServer.Create(PipeName(), -1, firstInstance: true));
            Assert.Throws<ArgumentOutOfRangeException>(() => MiowNamedPipeServer.Create(PipeName(), MiowNamedPipeServer.MaxInstancesLimit + 1, firstInstance: true));
            Assert.Throws<ArgumentOutOfRangeException>(() => MiowNamedPipeServer.Create(PipeName(), 2, firstInstance: true, bufferSize: -1));
            Assert.Throws<ArgumentNullException>(() => MiowNamedPipeServer.Create(null!, 2, firstInstance: true));
            Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument,
                () => MiowNamedPipeServer.Create("no-prefix", 2, firstInstance: true));
            using MiowNamedPipeServer most = MiowNamedPipeServer.Create(PipeName(), MiowNamedPipeServer.MaxInstancesLimit, firstInstance: true);
        });
    }
}

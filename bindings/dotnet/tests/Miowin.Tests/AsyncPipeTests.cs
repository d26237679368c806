// The async layer over named pipes (net8.0 build only): MiowStream wraps either pipe end as it
// wraps a TCP stream, and PipeConnectedAsync waits for the client.
#if !MIOWIN_NETSTANDARD
using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class AsyncPipeTests
    {
        private const int Limit = 120_000;
        private static int _counter;

        [Fact(Timeout = Limit)]
        public async Task Pipe_streams_echo_through_the_loop_and_end_with_end_of_stream()
        {
            string name = $@"\\.\pipe\miowin-dotnet-async-{Process.GetCurrentProcess().Id}-{Interlocked.Increment(ref _counter)}";
            using var loop = new MiowLoop();
            using var server = new MiowStream(loop, MiowNamedPipeServer.Create(name));
            ValueTask connected = server.Attachment.PipeConnectedAsync();
            var client = new MiowStream(loop, MiowNamedPipeClient.Open(name));
            await connected;

            byte[] payload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13)).ToArray();
            Task echo = Task.Run(async () =>
            {
                var buffer = new byte[16384];
                int n;
                while ((n = await server.ReadAsync(buffer)) > 0) await server.WriteAsync(buffer.AsMemory(0, n));
            });
            Task send = client.WriteAsync(payload).AsTask();
            var back = new byte[payload.Length];
            int got = 0;
            while (got < back.Length)
            {
                int n = await client.ReadAsync(back.AsMemory(got));
                Assert.NotEqual(0, n);
                got += n;
            }
            await send;
            Assert.Equal(payload, back);

            // Closing the client ends the server's read loop with end of stream (a read of 0).
            client.Dispose();
            await echo;
        }
    }
}
#endif

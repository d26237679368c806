// The named pipe types (MiowNamedPipeServer, MiowNamedPipeClient): a connect that is pending until
// a client opens and is then reported writable, echo both ways through a small pipe buffer, end of
// stream when the client goes, disconnect and a second client, and the errors of a missing pipe, a
// busy pipe, a second server of one name and I/O before the first registration.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class PipeTests
    {
        // Each test runs on a pool thread under this bound (xunit honours Timeout for tests that
        // return a Task; the Wine runner does too).
        private const int Limit = 30_000;

        private const ulong ServerToken = 1, ClientToken = 2;

        private static int _counter;

        private static Task Bounded(Action body) => Task.Run(body);

        private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

        private static string Ascii(byte[] bytes) => Encoding.ASCII.GetString(bytes);

        /// <summary>A name no other test, run or process uses.</summary>
        private static string PipeName() =>
            $@"\\.\pipe\miowin-dotnet-{Process.GetCurrentProcess().Id}-{Interlocked.Increment(ref _counter)}";

        /// <summary>
        /// A server and a client of a new pipe, connected the documented way (connect pending, client
        /// opens, writable event, connected), both registered for reading and writing.
        /// </summary>
        private static (MiowNamedPipeServer Server, MiowNamedPipeClient Client) Connected(Selector selector, int bufferSize = 0)
        {
            MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName(), bufferSize);
            server.Register(selector, ServerToken, Interest.Readable | Interest.Writable);
            Assert.False(server.TryConnect());
            MiowNamedPipeClient client = MiowNamedPipeClient.Open(server.Name);
            Assert.True(Support.WaitFor(selector, ServerToken).IsWritable);
            Assert.True(server.TryConnect());
            client.Register(selector, ClientToken, Interest.Readable | Interest.Writable);
            return (server, client);
        }

        /// <summary>One read that returns data, or nothing at end of stream, waiting for events while it would block.</summary>
        private static byte[] ReadSome(Selector selector, ulong token, MiowNamedPipe pipe, int size = 65536)
        {
            var buffer = new byte[size];
            var clock = Stopwatch.StartNew();
            int n;
            while (!pipe.TryRead(buffer, 0, buffer.Length, out n))
            {
                Assert.True(clock.Elapsed < Support.EventLimit, "nothing arrived");
                Support.WaitFor(selector, token);
            }
            Array.Resize(ref buffer, n);
            return buffer;
        }

        /// <summary>Writes all of <paramref name="data"/>, waiting for events while the pipe would block.</summary>
        internal static void WriteAll(Selector selector, ulong token, MiowNamedPipe pipe, byte[] data)
        {
            int sent = 0;
            var clock = Stopwatch.StartNew();
            while (sent < data.Length)
            {
                if (pipe.TryWrite(data, sent, data.Length - sent, out int n))
                {
                    sent += n;
                    continue;
                }
                Assert.True(clock.Elapsed < Support.EventLimit, $"{data.Length - sent} bytes were never written");
                Support.WaitFor(selector, token);
            }
        }

        [Fact(Timeout = Limit)]
        public Task Connect_is_pending_until_a_client_opens_then_writable() => Bounded(() =>
        {
            using var selector = new Selector();
            using MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName());
            server.Register(selector, ServerToken, Interest.Readable | Interest.Writable);
            Assert.False(server.TryConnect());
            Assert.False(server.TryConnect()); // still pending: the same answer
            Support.AssertSilent(selector, ServerToken);

            using MiowNamedPipeClient client = MiowNamedPipeClient.Open(server.Name);
            MiowEvent ev = Support.WaitFor(selector, ServerToken);
            Assert.True(ev.IsWritable, ev.ToString());
            Assert.True((ev.Readiness & Readiness.Error) == 0, ev.ToString());
            Assert.Null(server.TakeError());
            Assert.True(server.TryConnect());

            client.Register(selector, ClientToken, Interest.Readable);
            Assert.True(server.TryWrite(Ascii("hi"), 0, 2, out int sent));
            Assert.Equal(2, sent);
            Assert.Equal("hi", Ascii(ReadSome(selector, ClientToken, client)));
        });

        [Fact(Timeout = Limit)]
        public Task A_client_that_opened_first_is_connected_at_once() => Bounded(() =>
        {
            using var selector = new Selector();
            using MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName());
            server.Register(selector, ServerToken, Interest.Readable | Interest.Writable);
            using MiowNamedPipeClient client = MiowNamedPipeClient.Open(server.Name);
            Assert.True(server.TryConnect());
            client.Register(selector, ClientToken, Interest.Readable);
            WriteAll(selector, ServerToken, server, Ascii("early"));
            Assert.Equal("early", Ascii(ReadSome(selector, ClientToken, client)));
        });

        [Fact(Timeout = Limit)]
        public Task Echo_both_ways_through_a_128_byte_buffer() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector, bufferSize: 128);
            using (server)
            using (client)
            {
                // A short message each way.
                Assert.True(client.TryWrite(Ascii("ping"), 0, 4, out int n));
                Assert.Equal(4, n);
                Assert.Equal("ping", Ascii(ReadSome(selector, ServerToken, server)));
                Assert.True(server.TryWrite(Ascii("pong"), 0, 4, out n));
                Assert.Equal("pong", Ascii(ReadSome(selector, ClientToken, client)));

                // 10,000 bytes from the client, echoed back by the server, through one event loop.
                byte[] payload = Enumerable.Range(0, 10_000).Select(i => (byte)(i % 251)).ToArray();
                int sent = 0;
                var pending = new List<byte>();
                var echoed = new List<byte>();
                var buffer = new byte[65536];
                var events = new MiowEvent[16];
                var clock = Stopwatch.StartNew();
                while (echoed.Count < payload.Length)
                {
                    Assert.True(clock.Elapsed < Support.EventLimit, $"echoed {echoed.Count} of {payload.Length} bytes");
                    int count = selector.Poll(events, TimeSpan.FromMilliseconds(200));
                    for (int i = 0; i < count; i++) Assert.True((events[i].Readiness & Readiness.Error) == 0, events[i].ToString());
                    // Level registrations: try every side on each round, as readiness may have come before this poll.
                    if (sent < payload.Length && client.TryWrite(payload, sent, payload.Length - sent, out n)) sent += n;
                    if (server.TryRead(buffer, 0, buffer.Length, out n))
                    {
                        Assert.True(n > 0, "the server read end of stream");
                        pending.AddRange(buffer.Take(n));
                    }
                    if (pending.Count > 0)
                    {
                        byte[] chunk = pending.ToArray();
                        if (server.TryWrite(chunk, 0, chunk.Length, out n)) pending.RemoveRange(0, n);
                    }
                    if (client.TryRead(buffer, 0, buffer.Length, out n))
                    {
                        Assert.True(n > 0, "the client read end of stream");
                        echoed.AddRange(buffer.Take(n));
                    }
                }
                Assert.Equal(payload, echoed.ToArray());
            }
        });

        [Fact(Timeout = Limit)]
        public Task A_read_takes_at_most_the_callers_buffer_and_peek_leaves_the_bytes() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector);
            using (server)
            using (client)
            {
                WriteAll(selector, ClientToken, client, Ascii("abcdef"));
                Assert.Equal("ab", Ascii(ReadSome(selector, ServerToken, server, 2)));
                var buffer = new byte[10];
                Assert.True(server.TryPeek(buffer, 0, 3, out int n));
                Assert.Equal("cde", Encoding.ASCII.GetString(buffer, 0, n));
                Assert.True(server.TryRead(buffer, 0, buffer.Length, out n));
                Assert.Equal("cdef", Encoding.ASCII.GetString(buffer, 0, n));
                Assert.False(server.TryRead(buffer, 0, buffer.Length, out n));
                Assert.Equal(0, n);
                // The span overloads (both builds).
                Assert.True(client.TryWrite(Ascii("span").AsSpan(), out n));
                Assert.Equal(4, n);
                Span<byte> span = stackalloc byte[8];
                var clock = Stopwatch.StartNew();
                while (!server.TryPeek(span, out n))
                {
                    Assert.True(clock.Elapsed < Support.EventLimit);
                    Support.WaitFor(selector, ServerToken);
                }
                Assert.True(server.TryRead(span, out int m));
                Assert.Equal(n, m);
                Assert.Equal("span".Substring(0, m), Encoding.ASCII.GetString(span.Slice(0, m).ToArray()));
            }
        });

        [Fact(Timeout = Limit)]
        public Task Vectored_reads_and_writes_fill_the_buffers_in_order() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector);
            using (server)
            using (client)
            {
                var parts = new List<ArraySegment<byte>>
                {
                    new ArraySegment<byte>(Ascii("ab")),
                    new ArraySegment<byte>(Ascii("xcdex"), 1, 3),
                    new ArraySegment<byte>(Ascii("fghi")),
                    new ArraySegment<byte>(Array.Empty<byte>()),
                };
                Assert.True(client.TryWrite(parts, out int sent));
                Assert.Equal(9, sent);

                var received = new byte[14];
                int got = 0;
                var clock = Stopwatch.StartNew();
                while (got < 9)
                {
                    // The bytes may come in more than one read: each continues where the last stopped.
                    Assert.True(clock.Elapsed < Support.EventLimit, $"only {got} of 9 bytes arrived");
                    var into = new List<ArraySegment<byte>>();
                    foreach ((int start, int length) in new[] { (0, 1), (1, 3), (4, 10) })
                    {
                        int from = Math.Max(start, got);
                        if (from < start + length) into.Add(new ArraySegment<byte>(received, from, start + length - from));
                    }
                    if (server.TryRead(into, out int n)) got += n;
                    else Support.WaitFor(selector, ServerToken);
                }
                Assert.Equal("abcdefghi", Encoding.ASCII.GetString(received, 0, 9));
            }
        });

        [Fact(Timeout = Limit)]
        public Task Closing_the_client_ends_the_servers_stream() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector);
            using (server)
            {
                WriteAll(selector, ClientToken, client, Ascii("bye"));
                client.Dispose();
                var data = new List<byte>();
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    Assert.True(clock.Elapsed < Support.EventLimit, "no end of stream");
                    byte[] chunk = ReadSome(selector, ServerToken, server);
                    if (chunk.Length == 0) break;
                    data.AddRange(chunk);
                }
                Assert.Equal("bye", Ascii(data.ToArray()));
                Assert.True(server.TryRead(new byte[10], 0, 10, out int n)); // and it stays ended
                Assert.Equal(0, n);

                // Writing to a pipe whose client is gone fails; on Windows a write may first be
                // accepted and fail in the background, and then the next write reports it.
                MiowIOException e = Assert.Throws<MiowIOException>(() => WriteAll(selector, ServerToken, server, new byte[100_000]));
                Assert.Equal(MiowErrorCode.BrokenPipe, e.Code);
            }
        });

        [Fact(Timeout = Limit)]
        public Task Disconnect_then_a_second_client() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient first) = Connected(selector);
            using (server)
            {
                using (first)
                {
                    WriteAll(selector, ClientToken, first, Ascii("one"));
                    Assert.Equal("one", Ascii(ReadSome(selector, ServerToken, server)));
                    server.Disconnect();
                    server.Disconnect(); // harmless without a client
                    Assert.Empty(ReadSome(selector, ClientToken, first)); // the first client's stream ended
                }

                Assert.False(server.TryConnect());
                using MiowNamedPipeClient second = MiowNamedPipeClient.Open(server.Name);
                Assert.True(Support.WaitFor(selector, ServerToken).IsWritable);
                Assert.True(server.TryConnect());
                second.Register(selector, 3, Interest.Readable | Interest.Writable);
                WriteAll(selector, 3, second, Ascii("two"));
                Assert.Equal("two", Ascii(ReadSome(selector, ServerToken, server)));
                WriteAll(selector, ServerToken, server, Ascii("back"));
                Assert.Equal("back", Ascii(ReadSome(selector, 3, second)));
            }
        });

        [Fact(Timeout = Limit)]
        public Task Opening_a_missing_pipe_is_PipeNotFound() => Bounded(() =>
        {
            MiowIOException e = Support.AssertMiowError<MiowIOException>(MiowErrorCode.PipeNotFound, () => MiowNamedPipeClient.Open(PipeName()));
            Assert.Contains("MIOW_ENOTFOUND", e.Message);
            Assert.NotEqual(0, e.OsError);
            if (Support.IsWindows) Assert.Equal(2, e.OsError); // ERROR_FILE_NOT_FOUND
        });

        [Fact(Timeout = Limit)]
        public Task A_pipe_serving_a_client_is_PipeBusy() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector);
            using (server)
            using (client)
            {
                MiowIOException e = Support.AssertMiowError<MiowIOException>(MiowErrorCode.PipeBusy, () => MiowNamedPipeClient.Open(server.Name));
                Assert.Contains("MIOW_EPIPEBUSY", e.Message);
                if (Support.IsWindows) Assert.Equal(231, e.OsError); // ERROR_PIPE_BUSY
                // The connected pair is untouched.
                WriteAll(selector, ClientToken, client, Ascii("still"));
                Assert.Equal("still", Ascii(ReadSome(selector, ServerToken, server)));
            }
        });

        [Fact(Timeout = Limit)]
        public Task A_second_server_of_the_same_name_is_AddressInUse() => Bounded(() =>
        {
            string name;
            using (MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName()))
            {
                name = server.Name;
                Support.AssertMiowError(MiowErrorCode.AddressInUse, () => MiowNamedPipeServer.Create(name));
            }
            // Once the first is disposed, the name is free again.
            using MiowNamedPipeServer again = MiowNamedPipeServer.Create(name);
        });

        [Fact(Timeout = Limit)]
        public Task IO_before_the_first_registration_is_NotRegistered() => Bounded(() =>
        {
            using var selector = new Selector();
            using MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName());
            var buffer = new byte[4];
            var one = new List<ArraySegment<byte>> { new ArraySegment<byte>(buffer) };
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryConnect());
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryRead(buffer, 0, 4, out _));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryPeek(buffer, 0, 4, out _));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryWrite(buffer, 0, 4, out _));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryRead(one, out _));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => server.TryWrite(one, out _));

            server.Register(selector, ServerToken, Interest.Writable);
            Assert.False(server.TryConnect());
            using MiowNamedPipeClient client = MiowNamedPipeClient.Open(server.Name);
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => client.TryWrite(buffer, 0, 4, out _));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => client.TryRead(buffer, 0, 4, out _));

            // Registered once, a pipe's I/O keeps working after deregistration.
            client.Register(selector, ClientToken, Interest.Readable);
            client.Deregister(selector);
            WriteAll(selector, ClientToken, client, Ascii("ok"));
            Support.WaitFor(selector, ServerToken);
            Assert.True(server.TryConnect());
            Assert.Equal("ok", Ascii(ReadSome(selector, ServerToken, server)));
        });

        [Fact(Timeout = Limit)]
        public Task A_pipe_stays_with_its_first_selector_on_Windows() => Bounded(() =>
        {
            using var selector = new Selector();
            using var other = new Selector();
            using MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName());
            server.Register(selector, ServerToken, Interest.Readable);
            server.Deregister(selector);
            if (Support.IsWindows)
            {
                Support.AssertMiowError(MiowErrorCode.NotSupported, () => server.Register(other, ServerToken, Interest.Readable));
                server.Register(selector, ServerToken, Interest.Readable); // its own selector is still fine
            }
            else
            {
                server.Register(other, ServerToken, Interest.Readable); // a socket may move on Linux
            }
        });

        [Fact(Timeout = Limit)]
        public Task Argument_checks_and_disposal() => Bounded(() =>
        {
            Assert.Throws<ArgumentNullException>(() => MiowNamedPipeServer.Create(null!));
            Assert.Throws<ArgumentNullException>(() => MiowNamedPipeClient.Open(null!));
            Assert.Throws<ArgumentException>(() => MiowNamedPipeServer.Create("\\\\.\\pipe\\nul\0inside"));
            Assert.Throws<ArgumentOutOfRangeException>(() => MiowNamedPipeServer.Create(PipeName(), -1));
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => MiowNamedPipeServer.Create("no-prefix"));
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => MiowNamedPipeClient.Open(@"\\.\pipe\"));

            using var selector = new Selector();
            MiowNamedPipeServer server = MiowNamedPipeServer.Create(PipeName());
            Assert.IsAssignableFrom<Source>(server);
            Assert.StartsWith(@"\\.\pipe\miowin-dotnet-", server.Name);
            server.Register(selector, ServerToken, Interest.Readable);
            server.Dispose();
            Assert.True(server.IsDisposed);
            Assert.Throws<ObjectDisposedException>(() => server.TryConnect());
            Assert.Throws<ObjectDisposedException>(() => server.Disconnect());
            Assert.Throws<ObjectDisposedException>(() => server.TryRead(new byte[1], 0, 1, out _));
            Assert.Throws<ObjectDisposedException>(() => server.TakeError());
            // Disposing freed the name.
            using MiowNamedPipeServer again = MiowNamedPipeServer.Create(server.Name);
        });

        [Fact(Timeout = Limit)]
        public Task Connect_and_disconnect_are_for_servers_only() => Bounded(() =>
        {
            using var selector = new Selector();
            (MiowNamedPipeServer server, MiowNamedPipeClient client) = Connected(selector);
            using (server)
            using (client)
            using (MiowTcpListener listener = MiowTcpListener.Bind("127.0.0.1:0"))
            {
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_pipe_connect(client.Handle));
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_pipe_disconnect(client.Handle));
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_pipe_connect(listener.Handle));
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_pipe_disconnect(listener.Handle));
                // The socket-only calls do not apply to a pipe; the pending error does.
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_source_shutdown(server.Handle, NativeMethods.MIOW_SHUT_BOTH));
                Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_source_get_option(client.Handle, NativeMethods.MIOW_OPT_TTL, out _));
                Assert.Null(server.TakeError());
                Assert.Null(client.TakeError());
            }
        });

        [Fact]
        public void Pipe_error_codes_have_the_C_values_and_names()
        {
            var codes = new (MiowErrorCode Code, int Value, string Name)[]
            {
                (MiowErrorCode.PipeBusy, -22, "MIOW_EPIPEBUSY"),
                (MiowErrorCode.PipeNotFound, -23, "MIOW_ENOTFOUND"),
            };
            var texts = new HashSet<string>();
            foreach ((MiowErrorCode code, int value, string name) in codes)
            {
                Assert.Equal(value, (int)code);
                var e = Assert.IsType<MiowIOException>(MiowErrors.Create(code, 0, ErrorSite.Pipe));
                Assert.Contains(name, e.Message);
                Assert.Equal(code, e.Code);
                string text = MiowLibrary.Describe(code);
                Assert.NotEqual("unknown error", text);
                Assert.True(texts.Add(text), $"{code}: {text} is not distinct");
            }
        }
    }
}

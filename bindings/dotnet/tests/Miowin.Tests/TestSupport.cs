// Helpers shared by the tests: connected loopback socket pairs, bounded polling, and the OS error
// values the library reports on each platform.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Miowin;
using Xunit;

// The tests measure timeouts and push hundreds of sockets through one selector: run them one at a
// time so that they do not compete for the machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Miowin.Tests
{
    internal static class Support
    {
        /// <summary>How long a test waits for an event that must come.</summary>
        internal static readonly TimeSpan EventLimit = TimeSpan.FromSeconds(10);

        /// <summary>How long a test listens to conclude that no event comes.</summary>
        internal static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

        internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>
        /// A helper thread, not yet started, that cannot keep the process alive if a failed test
        /// leaves it blocked.
        /// </summary>
        internal static System.Threading.Thread Background(System.Threading.ThreadStart start) =>
            new System.Threading.Thread(start) { IsBackground = true };

        /// <summary>A connected TCP pair over loopback, both ends non-blocking.</summary>
        internal static SocketPair ConnectedPair()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(listener.LocalEndPoint!);
            Socket server = listener.Accept();
            client.Blocking = false;
            server.Blocking = false;
            client.NoDelay = true;
            server.NoDelay = true;
            return new SocketPair(client, server);
        }

        /// <summary>One poll; the events it returned.</summary>
        internal static MiowEvent[] PollOnce(Selector selector, TimeSpan? timeout, int capacity = 64)
        {
            var events = new MiowEvent[capacity];
            int n = selector.Poll(events, timeout);
            Array.Resize(ref events, n);
            return events;
        }

        /// <summary>
        /// One poll that retries while another thread's probing poll holds the selector (Busy):
        /// for a worker thread whose poll must get in while the test thread probes.
        /// </summary>
        internal static int PollPatiently(Selector selector, MiowEvent[] events, TimeSpan? timeout)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    return selector.Poll(events, timeout);
                }
                catch (MiowInvalidOperationException e) when (e.Code == MiowErrorCode.Busy && clock.Elapsed < EventLimit)
                {
                    System.Threading.Thread.Sleep(1);
                }
            }
        }

        /// <summary>Polls until an event with <paramref name="token"/> arrives; fails after <see cref="EventLimit"/>.</summary>
        internal static MiowEvent WaitFor(Selector selector, ulong token, List<MiowEvent>? others = null)
        {
            var deadline = Stopwatch.StartNew();
            var events = new MiowEvent[64];
            while (deadline.Elapsed < EventLimit)
            {
                int n = selector.Poll(events, TimeSpan.FromMilliseconds(200));
                MiowEvent? found = null;
                for (int i = 0; i < n; i++)
                {
                    if (found == null && events[i].Token == token) found = events[i];
                    else others?.Add(events[i]);
                }
                if (found != null) return found.Value;
            }
            throw new Xunit.Sdk.XunitException($"no event with token {token} within {EventLimit}");
        }

        /// <summary>Polls for <paramref name="window"/> and returns every event seen.</summary>
        internal static List<MiowEvent> Collect(Selector selector, TimeSpan window)
        {
            var seen = new List<MiowEvent>();
            var clock = Stopwatch.StartNew();
            var events = new MiowEvent[64];
            while (clock.Elapsed < window)
            {
                TimeSpan left = window - clock.Elapsed;
                if (left < TimeSpan.Zero) left = TimeSpan.Zero;
                int n = selector.Poll(events, left);
                for (int i = 0; i < n; i++) seen.Add(events[i]);
            }
            return seen;
        }

        /// <summary>Asserts that no event with <paramref name="token"/> arrives for <see cref="Quiet"/>.</summary>
        internal static void AssertSilent(Selector selector, ulong token)
        {
            foreach (MiowEvent e in Collect(selector, Quiet))
            {
                Assert.False(e.Token == token, $"unexpected event {e}");
            }
        }

        /// <summary>Sends all of <paramref name="data"/> on a non-blocking socket (small amounts only).</summary>
        internal static void SendAll(Socket socket, byte[] data)
        {
            int sent = 0;
            var clock = Stopwatch.StartNew();
            while (sent < data.Length)
            {
                int n = socket.Send(data, sent, data.Length - sent, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    Assert.True(clock.Elapsed < EventLimit, "send stalled");
                    System.Threading.Thread.Sleep(1);
                    continue;
                }
                Assert.Equal(SocketError.Success, error);
                sent += n;
            }
        }

        /// <summary>Reads what is queued on a non-blocking socket until it would block.</summary>
        internal static int Drain(Socket socket)
        {
            var buffer = new byte[65536];
            int total = 0;
            while (true)
            {
                int n = socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock) return total;
                Assert.Equal(SocketError.Success, error);
                if (n == 0) return total;
                total += n;
            }
        }

        /// <summary>The OS error the library records with each code (errno off Windows).</summary>
        internal static int OsErrorFor(MiowErrorCode code)
        {
            if (IsWindows)
            {
                return code switch
                {
                    MiowErrorCode.InvalidArgument => 87,     // ERROR_INVALID_PARAMETER
                    MiowErrorCode.BadHandle => 6,            // ERROR_INVALID_HANDLE
                    MiowErrorCode.AlreadyRegistered => 183,  // ERROR_ALREADY_EXISTS
                    MiowErrorCode.NotRegistered => 1168,     // ERROR_NOT_FOUND
                    MiowErrorCode.Busy => 170,               // ERROR_BUSY
                    MiowErrorCode.NotSocket => 10038,        // WSAENOTSOCK
                    MiowErrorCode.Closed => 995,             // ERROR_OPERATION_ABORTED
                    _ => throw new ArgumentOutOfRangeException(nameof(code)),
                };
            }
            return code switch
            {
                MiowErrorCode.InvalidArgument => 22,     // EINVAL
                MiowErrorCode.BadHandle => 9,            // EBADF
                MiowErrorCode.AlreadyRegistered => 17,   // EEXIST
                MiowErrorCode.NotRegistered => 2,        // ENOENT
                MiowErrorCode.Busy => 16,                // EBUSY
                MiowErrorCode.NotSocket => 88,           // ENOTSOCK
                MiowErrorCode.Closed => 125,             // ECANCELED
                _ => throw new ArgumentOutOfRangeException(nameof(code)),
            };
        }

        /// <summary>Runs <paramref name="action"/>, expecting an exception that carries <paramref name="code"/> (<see cref="IMiowError"/>).</summary>
        internal static IMiowError AssertMiowError(MiowErrorCode code, Action action)
        {
            Exception? thrown = Record.Exception(action);
            Assert.NotNull(thrown);
            IMiowError e = Assert.IsAssignableFrom<IMiowError>(thrown);
            Assert.Equal(code, e.Code);
            return e;
        }

        /// <summary>As <see cref="AssertMiowError(MiowErrorCode, Action)"/>, and the exception is a <typeparamref name="T"/>.</summary>
        internal static T AssertMiowError<T>(MiowErrorCode code, Action action) where T : Exception
        {
            IMiowError e = AssertMiowError(code, action);
            return Assert.IsAssignableFrom<T>(e);
        }
    }

    /// <summary>Two connected sockets; disposing closes both.</summary>
    internal sealed class SocketPair : IDisposable
    {
        internal SocketPair(Socket client, Socket server)
        {
            Client = client;
            Server = server;
        }

        internal Socket Client { get; }
        internal Socket Server { get; }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}

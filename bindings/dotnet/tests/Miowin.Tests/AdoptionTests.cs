// Adoption and release (miowin 1.2): a host's Socket or pipe handle taken into a source the library
// owns, on which the library's I/O works; and a library source giving its socket or pipe back,
// open, for direct use with System.Net.Sockets or System.IO.Pipes.
using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace Miowin.Tests
{
    public class AdoptionTests
    {
        private const int Limit = 30_000;

        private static Task Bounded(Action body) => Task.Run(body);

        private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

        private static Socket NonBlockingListener()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen(8);
            socket.Blocking = false;
            return socket;
        }

        /// <summary>Reads from a stream until <paramref name="count"/> bytes came, waiting for its events.</summary>
        private static string ReadText(Selector selector, ulong token, MiowTcpStream stream, int count)
        {
            var buffer = new byte[count];
            int have = 0;
            var clock = Stopwatch.StartNew();
            while (have < count)
            {
                if (stream.TryRead(buffer, have, count - have, out int n))
                {
                    Assert.True(n > 0, "end of stream");
                    have += n;
                    continue;
                }
                Assert.True(clock.Elapsed < Support.EventLimit, "nothing arrived");
                Support.WaitFor(selector, token);
            }
            return Encoding.ASCII.GetString(buffer);
        }

        /// <summary>Receives <paramref name="count"/> bytes on a blocking socket, with a time limit.</summary>
        private static string Receive(Socket socket, int count)
        {
            socket.Blocking = true;
            socket.ReceiveTimeout = (int)Support.EventLimit.TotalMilliseconds;
            var buffer = new byte[count];
            int have = 0;
            while (have < count)
            {
                int n = socket.Receive(buffer, have, count - have, SocketFlags.None);
                Assert.True(n > 0, "end of stream");
                have += n;
            }
            return Encoding.ASCII.GetString(buffer);
        }

        [Fact(Timeout = Limit)]
        public Task AdoptedStreamEchoesThenReleasedSocketWorksWithSystemNetSockets() => Bounded(() =>
        {
            using var selector = new Selector();
            using SocketPair pair = Support.ConnectedPair();
            MiowTcpStream stream = MiowTcpStream.Adopt(pair.Server);
            // The Socket was disposed: the library owns the connection now.
            Assert.Throws<ObjectDisposedException>(() => pair.Server.Available);
            stream.Register(selector, 1, Interest.Readable | Interest.Writable);
            Assert.Equal(pair.Client.LocalEndPoint, stream.PeerAddress);

            Support.SendAll(pair.Client, Ascii("hello"));
            Assert.Equal("hello", ReadText(selector, 1, stream, 5));
            Assert.True(stream.TryWrite(Ascii("back"), 0, 4, out int sent));
            Assert.Equal(4, sent);
            Assert.Equal("back", Receive(pair.Client, 4));

            IntPtr handle = stream.Release();
            Assert.True(stream.IsDisposed);
            Assert.Throws<ObjectDisposedException>(() => stream.Release());
            Assert.Throws<ObjectDisposedException>(() => stream.TryWrite(Ascii("x"), 0, 1, out _));

            // The same connection, now a System.Net.Sockets socket of the test's.
            using var released = new Socket(new SafeSocketHandle(handle, ownsHandle: true));
            Assert.Equal(pair.Client.LocalEndPoint, released.RemoteEndPoint);
            released.Blocking = true;
            Assert.Equal(6, released.Send(Ascii("direct")));
            Assert.Equal("direct", Receive(pair.Client, 6));
            pair.Client.Send(Ascii("again"));
            Assert.Equal("again", Receive(released, 5));
        });

        [Fact(Timeout = Limit)]
        public Task AdoptedListenerAcceptsAndDisposingItClosesTheSocket() => Bounded(() =>
        {
            using var selector = new Selector();
            Socket host = NonBlockingListener();
            var address = (IPEndPoint)host.LocalEndPoint!;
            MiowTcpListener listener = MiowTcpListener.Adopt(host);
            Assert.Throws<ObjectDisposedException>(() => host.LocalEndPoint);
            Assert.Equal(address, listener.LocalAddress);
            listener.Register(selector, 1, Interest.Readable);
            using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                client.Connect(address);
                var clock = Stopwatch.StartNew();
                MiowTcpStream? accepted;
                while (!listener.TryAccept(out accepted, out IPEndPoint? peer))
                {
                    Assert.True(clock.Elapsed < Support.EventLimit, "no connection arrived");
                    Support.WaitFor(selector, 1);
                }
                accepted.Dispose();
            }
            listener.Dispose();
            // The library closed the listening socket: nothing listens on the port any more.
            using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            SocketException refused = Assert.Throws<SocketException>(() => late.Connect(address));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        });

        [Fact(Timeout = Limit)]
        public Task ReleasedListenerIsASystemNetListener() => Bounded(() =>
        {
            MiowTcpListener listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            IPEndPoint address = listener.LocalAddress;
            using var socket = new Socket(new SafeSocketHandle(listener.Release(), ownsHandle: true));
            Assert.Equal(address, socket.LocalEndPoint);
            socket.Blocking = true;
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(address);
            using Socket accepted = socket.Accept();
            Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
        });

        [Fact(Timeout = Limit)]
        public Task AdoptedUdpSocketExchangesDatagrams() => Bounded(() =>
        {
            using var selector = new Selector();
            var host = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            host.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            host.Blocking = false;
            using MiowUdpSocket udp = MiowUdpSocket.Adopt(host);
            using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            udp.Register(selector, 1, Interest.Readable);
            peer.SendTo(Ascii("ping"), udp.LocalAddress);
            Support.WaitFor(selector, 1);
            var buffer = new byte[16];
            Assert.True(udp.TryReceiveFrom(buffer, 0, buffer.Length, out int n, out IPEndPoint? from));
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, n));
            Assert.Equal(peer.LocalEndPoint, from);
        });

        [Fact(Timeout = Limit)]
        public Task AdoptRefusesBadSocketsAndLeavesThemOpen() => Bounded(() =>
        {
            Assert.Throws<ArgumentNullException>(() => MiowTcpStream.Adopt(null!));
            using (Socket blocking = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                Assert.True(blocking.Blocking);
                Assert.Throws<ArgumentException>(() => MiowTcpStream.Adopt(blocking));
                Assert.NotEqual(IntPtr.Zero, blocking.Handle); // still open, still the test's
            }
            using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false })
            {
                ArgumentException e = Assert.Throws<ArgumentException>(() => MiowTcpStream.Adopt(udp));
                Assert.Contains("UDP", e.Message);
                Assert.Throws<ArgumentException>(() => MiowTcpListener.Adopt(udp));
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                Assert.NotNull(udp.LocalEndPoint);
            }
            using (Socket listening = NonBlockingListener())
            {
                Assert.Throws<ArgumentException>(() => MiowTcpStream.Adopt(listening));
                Assert.Throws<ArgumentException>(() => MiowUdpSocket.Adopt(listening));
                Assert.NotNull(listening.LocalEndPoint);
            }
            var disposed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            disposed.Dispose();
            Assert.Throws<ObjectDisposedException>(() => MiowTcpStream.Adopt(disposed));
        });

        [Fact(Timeout = Limit)]
        public Task ReleaseOfASourceWrappingYourSocketIsNotSupported() => Bounded(() =>
        {
            using SocketPair pair = Support.ConnectedPair();
            using var source = new Source(pair.Client);
            Assert.Throws<NotSupportedException>(() => source.Release());
            Assert.False(source.IsDisposed);
        });

        [Fact(Timeout = Limit)]
        public Task ReleasedPipeClientIsAdoptedAgainAndStillConnected() => Bounded(() =>
        {
            string name = PipeInstanceTests.PipeName();
            using var selector = new Selector();
            using MiowNamedPipeServer server = MiowNamedPipeServer.Create(name);
            server.Register(selector, 1, Interest.Readable | Interest.Writable);
            server.TryConnect();
            MiowNamedPipeClient client = MiowNamedPipeClient.Open(name);
            PipeInstanceTests.Connect(selector, 1, server);

            // Never registered, so never on a completion port: released everywhere.
            var handle = new SafePipeHandle(client.Release(), ownsHandle: true);
            Assert.True(client.IsDisposed);
            using MiowNamedPipeClient again = MiowNamedPipeClient.Adopt(handle, name);
            Assert.True(handle.IsClosed); // the library took a duplicate, then closed this one
            Assert.Equal(name, again.Name);
            again.Register(selector, 3, Interest.Readable | Interest.Writable);
            PipeTests.WriteAll(selector, 1, server, Ascii("still there"));
            Assert.Equal("still there", Encoding.ASCII.GetString(PipeInstanceTests.ReadExactly(selector, 3, again, 11)));
            PipeTests.WriteAll(selector, 3, again, Ascii("and back"));
            Assert.Equal("and back", Encoding.ASCII.GetString(PipeInstanceTests.ReadExactly(selector, 1, server, 8)));

            // Registered, so on the selector's port: Windows 8.1+ takes it off and releases it;
            // Wine 8 cannot, and the release fails with NotSupported and changes nothing (docs/pipes.md).
            IntPtr released;
            try
            {
                released = again.Release();
            }
            catch (MiowNotSupportedException) when (Wine.IsRunning)
            {
                Wine.Note("a registered pipe cannot leave its completion port, as docs/pipes.md says");
                Assert.False(again.IsDisposed);
                PipeTests.WriteAll(selector, 1, server, Ascii("unchanged"));
                Assert.Equal("unchanged", Encoding.ASCII.GetString(PipeInstanceTests.ReadExactly(selector, 3, again, 9)));
                return;
            }
            Assert.True(again.IsDisposed);
            using var direct = new SafePipeHandle(released, ownsHandle: true);
            Assert.False(direct.IsInvalid);
        });

        [Fact(Timeout = Limit)]
        public Task PipeAdoptionRefusesBadHandles() => Bounded(() =>
        {
            Assert.Throws<ArgumentNullException>(() => MiowNamedPipeServer.Adopt((SafeHandle)null!));
            var closed = new SafePipeHandle(new IntPtr(12345), ownsHandle: false);
            closed.Dispose();
            Assert.Throws<ArgumentException>(() => MiowNamedPipeClient.Adopt(closed));
            using (var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false })
            {
                // A Socket's own SafeSocketHandle would be closed abortively: the Socket overload is the way.
                Assert.Throws<ArgumentException>(() => MiowNamedPipeClient.Adopt(tcp.SafeHandle));
            }
            // A handle that is no pipe end: the library refuses it, and it stays the test's.
            string path = System.IO.Path.GetTempFileName();
            try
            {
                using SafeFileHandle file = System.IO.File.OpenHandle(path, System.IO.FileMode.Open, System.IO.FileAccess.ReadWrite);
                Assert.Throws<MiowArgumentException>(() => MiowNamedPipeServer.Adopt(file));
                Assert.False(file.IsClosed);
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        });

        // Windows: a pipe end the host made with CreateNamedPipe, adopted as a server; a handle
        // opened for synchronous I/O is refused.
        [Fact(Timeout = Limit)]
        public Task WindowsServerEndFromCreateNamedPipeIsAdopted() => Bounded(() =>
        {
            if (!Support.IsWindows) return; // Linux: LinuxListeningUnixSocketIsAdoptedAsAServer
            string name = PipeInstanceTests.PipeName();
            using var selector = new Selector();
            SafePipeHandle synchronous = Win32Pipes.CreateServer(name, overlapped: false);
            Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => MiowNamedPipeServer.Adopt(synchronous, name));
            Assert.False(synchronous.IsClosed);
            synchronous.Dispose();

            SafePipeHandle host = Win32Pipes.CreateServer(name, overlapped: true);
            using MiowNamedPipeServer server = MiowNamedPipeServer.Adopt(host, name);
            Assert.True(host.IsClosed);
            server.Register(selector, 1, Interest.Readable | Interest.Writable);
            server.TryConnect();
            using MiowNamedPipeClient client = MiowNamedPipeClient.Open(name);
            client.Register(selector, 2, Interest.Readable | Interest.Writable);
            PipeInstanceTests.Connect(selector, 1, server);
            PipeTests.WriteAll(selector, 2, client, Ascii("adopted"));
            Assert.Equal("adopted", Encoding.ASCII.GetString(PipeInstanceTests.ReadExactly(selector, 1, server, 7)));
        });

        // Linux: the pipe emulation's server end is a listening Unix-domain socket.
        [Fact(Timeout = Limit)]
        public Task LinuxListeningUnixSocketIsAdoptedAsAServer() => Bounded(() =>
        {
            if (Support.IsWindows) return; // Windows: WindowsServerEndFromCreateNamedPipeIsAdopted
            using var selector = new Selector();
            var endpoint = new UnixDomainSocketEndPoint("\0miowin-dotnet-adopt-" + Process.GetCurrentProcess().Id);
            var host = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            host.Bind(endpoint);
            host.Listen(4);
            host.Blocking = false;
            using MiowNamedPipeServer server = MiowNamedPipeServer.Adopt(host, "adopted");
            Assert.Throws<ObjectDisposedException>(() => host.LocalEndPoint);
            server.Register(selector, 1, Interest.Readable | Interest.Writable);
            server.TryConnect();
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(endpoint);
            PipeInstanceTests.Connect(selector, 1, server);
            client.Send(Ascii("adopted"));
            Assert.Equal("adopted", Encoding.ASCII.GetString(PipeInstanceTests.ReadExactly(selector, 1, server, 7)));
            PipeTests.WriteAll(selector, 1, server, Ascii("back"));
            Assert.Equal("back", Receive(client, 4));
        });
    }

    /// <summary>CreateNamedPipeW, for the adoption tests on Windows.</summary>
    internal static class Win32Pipes
    {
        internal static SafePipeHandle CreateServer(string name, bool overlapped)
        {
            const uint PipeAccessDuplex = 0x3, FileFlagOverlapped = 0x40000000, FirstInstance = 0x00080000;
            const uint PipeRejectRemoteClients = 0x8;
            uint mode = PipeAccessDuplex | FirstInstance | (overlapped ? FileFlagOverlapped : 0);
            SafePipeHandle handle = CreateNamedPipeW(name, mode, PipeRejectRemoteClients, 1, 4096, 4096, 0, IntPtr.Zero);
            if (handle.IsInvalid) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
            return handle;
        }

        [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
        private static extern SafePipeHandle CreateNamedPipeW(string name, uint openMode, uint pipeMode, uint maxInstances,
                                                              uint outBuffer, uint inBuffer, uint timeout, IntPtr security);
    }
}

// A TCP echo over loopback with 500 connections, listener, clients and server ends all on one
// selector; every byte that comes back is checked.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Miowin.Tests
{
    public class EchoTests
    {
        private const int Connections = 500;
        private const ulong ListenerToken = 0;
        private const ulong ClientBase = 1;
        private const ulong ServerBase = 1_000_000;
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

        /// <summary>The byte a client sends at a given offset: different for every connection.</summary>
        private static byte Expected(int client, int offset) => unchecked((byte)(client * 131 + offset * 7 + (offset >> 8)));

        /// <summary>Each client sends a different amount, some more than one socket buffer holds at once.</summary>
        private static int PayloadSize(int client) => 1000 + (client % 13) * 997;

        private sealed class Client
        {
            internal Socket Socket = null!;
            internal Source Source = null!;
            internal byte[] Payload = null!;
            internal int Sent;
            internal int Received;
            internal bool Connected;
            internal bool Done;
        }

        private sealed class Server
        {
            internal Socket Socket = null!;
            internal Source Source = null!;
            internal readonly List<byte> Pending = new List<byte>();
            internal bool WantsWrite;
            internal bool Closed;
        }

        [Fact]
        public void Echo_500_connections_on_one_selector()
        {
            var clock = Stopwatch.StartNew();
            using var selector = new Selector();
            var clients = new Client[Connections];
            var servers = new List<Server>();
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Source? listenerSource = null;
            var buffer = new byte[16384];
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(Connections);
                listener.Blocking = false;
                listenerSource = new Source(listener);
                listenerSource.Register(selector, ListenerToken, Interest.Readable);
                var endpoint = (IPEndPoint)listener.LocalEndPoint!;

                for (int i = 0; i < Connections; i++)
                {
                    var c = new Client { Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) };
                    clients[i] = c;
                    c.Socket.Blocking = false;
                    c.Payload = new byte[PayloadSize(i)];
                    for (int k = 0; k < c.Payload.Length; k++) c.Payload[k] = Expected(i, k);
                    try
                    {
                        c.Socket.Connect(endpoint);
                    }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock ||
                                                    e.SocketErrorCode == SocketError.InProgress)
                    {
                        // The connect completes later: writable says so.
                    }
                    c.Source = new Source(c.Socket);
                    c.Source.Register(selector, ClientBase + (ulong)i, Interest.Writable);
                }

                int done = 0;
                var events = new MiowEvent[256];
                while (done < Connections)
                {
                    Assert.True(clock.Elapsed < Limit, $"echo not finished after {Limit}: {done} of {Connections} done");
                    int n = selector.Poll(events, TimeSpan.FromSeconds(1));
                    for (int e = 0; e < n; e++)
                    {
                        MiowEvent ev = events[e];
                        if (ev.Token == ListenerToken)
                        {
                            AcceptAll(listener, selector, servers);
                        }
                        else if (ev.Token >= ServerBase)
                        {
                            ServeEcho(servers[(int)(ev.Token - ServerBase)], ev, selector, buffer);
                        }
                        else
                        {
                            int index = (int)(ev.Token - ClientBase);
                            if (RunClient(clients[index], index, ev, selector, buffer)) done++;
                        }
                    }
                }

                Assert.Equal(Connections, servers.Count);
                foreach (Client c in clients) Assert.Equal(c.Payload.Length, c.Received);
            }
            finally
            {
                foreach (Client? c in clients)
                {
                    c?.Source?.Dispose();
                    c?.Socket.Dispose();
                }
                foreach (Server s in servers)
                {
                    s.Source.Dispose();
                    s.Socket.Dispose();
                }
                listenerSource?.Dispose();
            }
        }

        private static void AcceptAll(Socket listener, Selector selector, List<Server> servers)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = listener.Accept();
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                    return;
                }
                accepted.Blocking = false;
                var s = new Server { Socket = accepted, Source = new Source(accepted) };
                s.Source.Register(selector, ServerBase + (ulong)servers.Count, Interest.Readable);
                servers.Add(s);
            }
        }

        // Level-triggered echo: read until it would block, send what the socket takes, and ask for
        // writable only while something is left over.
        private static void ServeEcho(Server s, MiowEvent ev, Selector selector, byte[] buffer)
        {
            if (s.Closed) return;
            ulong token = ev.Token;
            if (ev.IsReadable)
            {
                while (true)
                {
                    int n = s.Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock) break;
                    Assert.Equal(SocketError.Success, error);
                    if (n == 0)
                    {
                        s.Closed = true;
                        s.Source.Deregister(selector);
                        return;
                    }
                    for (int i = 0; i < n; i++) s.Pending.Add(buffer[i]);
                }
            }
            if (s.Pending.Count > 0)
            {
                byte[] chunk = s.Pending.ToArray();
                int sent = s.Socket.Send(chunk, 0, chunk.Length, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock) sent = 0;
                else Assert.Equal(SocketError.Success, error);
                s.Pending.RemoveRange(0, sent);
            }
            bool wantsWrite = s.Pending.Count > 0;
            if (wantsWrite != s.WantsWrite)
            {
                s.WantsWrite = wantsWrite;
                s.Source.Reregister(selector, token, wantsWrite ? Interest.Readable | Interest.Writable : Interest.Readable);
            }
        }

        // Connect, send the payload, then read the echo back and check every byte. True when the
        // whole payload came back.
        private static bool RunClient(Client c, int index, MiowEvent ev, Selector selector, byte[] buffer)
        {
            if (c.Done) return false;
            ulong token = ClientBase + (ulong)index;
            Assert.True((ev.Readiness & Readiness.Error) == 0, $"client {index} failed: {ev}");
            if (!c.Connected && ev.IsWritable)
            {
                c.Connected = true;
                c.Source.Reregister(selector, token, Interest.Readable | Interest.Writable);
            }
            if (c.Connected && ev.IsWritable && c.Sent < c.Payload.Length)
            {
                int n = c.Socket.Send(c.Payload, c.Sent, c.Payload.Length - c.Sent, SocketFlags.None, out SocketError error);
                if (error != SocketError.WouldBlock)
                {
                    Assert.Equal(SocketError.Success, error);
                    c.Sent += n;
                }
                if (c.Sent == c.Payload.Length) c.Source.Reregister(selector, token, Interest.Readable);
            }
            if (ev.IsReadable)
            {
                while (true)
                {
                    int n = c.Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock) break;
                    Assert.Equal(SocketError.Success, error);
                    Assert.True(n > 0, $"client {index}: the server closed after {c.Received} bytes");
                    for (int i = 0; i < n; i++)
                    {
                        int offset = c.Received + i;
                        Assert.True(offset < c.Payload.Length, $"client {index}: more bytes than it sent");
                        if (buffer[i] != Expected(index, offset))
                        {
                            Assert.Fail($"client {index}: byte {offset} is {buffer[i]}, expected {Expected(index, offset)}");
                        }
                    }
                    c.Received += n;
                }
                if (c.Received == c.Payload.Length)
                {
                    c.Done = true;
                    c.Source.Deregister(selector);
                    c.Socket.Shutdown(SocketShutdown.Both);
                    return true;
                }
            }
            return false;
        }
    }
}

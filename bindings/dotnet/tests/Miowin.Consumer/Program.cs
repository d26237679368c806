// The program of the consumer tests: what a user of the package writes. test.sh copies it into a
// console project outside the source tree that references the packed MiowinSharp by version from
// a local feed, publishes that project in each deployment layout and runs it without
// MIOWIN_LIBRARY. It echoes a distinct payload over 200 TCP connections through one selector
// (listener, accepted streams and clients all miowin sockets, edge-triggered) and exits 0 only if
// every byte came back in order; 1 on a wrong byte, an error or after 60 s without finishing.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using Miowin;

const int Clients = 200;
const int PayloadSize = 16 * 1024;
const ulong ListenerToken = 0, ClientBase = 1, ServerBase = 1_000_000;
var limit = TimeSpan.FromSeconds(60);

try
{
    using var selector = new Selector();
    using var listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    listener.Register(selector, ListenerToken, Interest.Readable | Interest.Edge);
    var clients = new Client[Clients];
    for (int i = 0; i < Clients; i++)
    {
        clients[i] = new Client(i, MiowTcpStream.Connect(listener.LocalAddress), PayloadSize);
        clients[i].Stream.Register(selector, ClientBase + (ulong)i, Interest.Readable | Interest.Writable | Interest.Edge);
    }
    var servers = new List<Echo>();
    var events = new MiowEvent[256];
    int done = 0;
    long echoed = 0;
    var clock = Stopwatch.StartNew();
    while (done < Clients)
    {
        if (clock.Elapsed > limit) throw new TimeoutException($"{done} of {Clients} connections finished within {limit}");
        int n = selector.Poll(events, TimeSpan.FromSeconds(1));
        for (int e = 0; e < n; e++)
        {
            ulong token = events[e].Token;
            if (token == ListenerToken)
            {
                while (listener.TryAccept(out MiowTcpStream? stream, out _))
                {
                    stream.Register(selector, ServerBase + (ulong)servers.Count, Interest.Readable | Interest.Writable | Interest.Edge);
                    servers.Add(new Echo(stream));
                }
            }
            else if (token >= ServerBase)
            {
                servers[(int)(token - ServerBase)].Progress();
            }
            else
            {
                Client client = clients[(int)(token - ClientBase)];
                if (client.Finished) continue;
                client.Progress();
                if (client.Finished)
                {
                    done++;
                    echoed += PayloadSize;
                    client.Stream.Dispose();
                }
            }
        }
    }
    foreach (Echo server in servers) server.Stream.Dispose();
    Console.WriteLine($"consumer: {Clients} connections echoed {echoed} bytes in {clock.ElapsedMilliseconds} ms; " +
                      $"miowin {MiowLibrary.VersionString} via {MiowLibrary.ResolutionMechanism}; {Environment.OSVersion.Platform} .NET {Environment.Version}");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"consumer: FAILED: {e}");
    return 1;
}

/// <summary>A client: writes its payload, reads it back and checks every byte.</summary>
internal sealed class Client
{
    private readonly byte[] _payload;
    private readonly byte[] _buffer = new byte[8192];
    private int _sent, _received;

    public Client(int index, MiowTcpStream stream, int size)
    {
        Stream = stream;
        _payload = new byte[size];
        for (int k = 0; k < size; k++) _payload[k] = (byte)(index * 31 + k * 7 + (k >> 8));
    }

    public MiowTcpStream Stream { get; }

    public bool Finished => _received == _payload.Length;

    // Edge-triggered: drive both directions until each would block (the library then re-arms it).
    public void Progress()
    {
        bool moved = true;
        while (moved)
        {
            moved = false;
            if (_sent < _payload.Length && Stream.TryWrite(_payload, _sent, _payload.Length - _sent, out int n))
            {
                _sent += n;
                moved = true;
            }
            if (!Finished && Stream.TryRead(_buffer, 0, _buffer.Length, out int got))
            {
                if (got == 0) throw new InvalidOperationException($"end of stream after {_received} of {_payload.Length} bytes");
                for (int k = 0; k < got; k++)
                {
                    if (_buffer[k] != _payload[_received + k])
                        throw new InvalidOperationException($"byte {_received + k} differs");
                }
                _received += got;
                moved = true;
            }
        }
    }
}

/// <summary>The server side of one connection: writes back what it reads.</summary>
internal sealed class Echo
{
    private readonly byte[] _pending = new byte[65536];
    private int _start, _end;
    private bool _closed;

    public Echo(MiowTcpStream stream) => Stream = stream;

    public MiowTcpStream Stream { get; }

    public void Progress()
    {
        bool moved = true;
        while (moved && !_closed)
        {
            moved = false;
            if (_end > _start && Stream.TryWrite(_pending, _start, _end - _start, out int n))
            {
                _start += n;
                if (_start == _end) _start = _end = 0;
                moved = true;
            }
            if (_end < _pending.Length && Stream.TryRead(_pending, _end, _pending.Length - _end, out int got))
            {
                if (got == 0) _closed = true;
                _end += got;
                moved = true;
            }
        }
    }
}

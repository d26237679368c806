// The async layer: one selector and one polling thread per loop, and readiness awaits on it.
// Every source joins the loop once, edge-triggered for reading and writing. An event completes
// the direction's waiter, or, with none, is kept until the next wait, which then completes at
// once: "try the call; on would-block, await; try again" never misses an event.
#if NET8_0_OR_GREATER
using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Miowin
{
    /// <summary>
    /// An event loop for <c>await</c>: owns a <see cref="Selector"/> and one thread that polls it,
    /// and completes readiness awaits (<see cref="MiowAttachment.WaitReadableAsync"/>, <see cref="MiowAttachment.WaitWritableAsync"/>)
    /// for the sources attached to it. <see cref="Dispose"/> stops the thread and completes every
    /// pending await with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public sealed class MiowLoop : IDisposable
    {
        private readonly Selector _selector = new Selector();
        private readonly ConcurrentDictionary<ulong, Attachment> _attachments = new ConcurrentDictionary<ulong, Attachment>();
        private readonly Thread _thread;
        private long _nextToken;
        private int _disposed;

        /// <summary>Creates the loop and starts its polling thread.</summary>
        public MiowLoop()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "miowin loop" };
            _thread.Start();
        }

        /// <summary>Whether <see cref="Dispose"/> was called.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>
        /// Attaches a source: registers it with the loop's selector, edge-triggered for reading
        /// and writing. A source is attached to one loop at most, once.
        /// </summary>
        /// <param name="source">The source; it stays owned by the caller.</param>
        /// <returns>The attachment that the awaits use; disposing it deregisters the source.</returns>
        public MiowAttachment Attach(Source source)
        {
            if (source == null) throw new ArgumentNullException(nameof(source));
            ThrowIfDisposed();
            ulong token = (ulong)Interlocked.Increment(ref _nextToken);
            var attachment = new Attachment(this, source, token);
            _attachments[token] = attachment;
            try
            {
                source.Register(_selector, token, Interest.Readable | Interest.Writable | Interest.Edge);
            }
            catch
            {
                _attachments.TryRemove(token, out _);
                throw;
            }
            return attachment.Public;
        }

        /// <summary>Stops the polling thread, completes pending awaits with <see cref="ObjectDisposedException"/> and frees the selector.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _selector.Dispose(); // interrupts the poll
            if (Thread.CurrentThread != _thread) _thread.Join();
            foreach (Attachment a in _attachments.Values) a.Fail(new ObjectDisposedException(nameof(MiowLoop)));
            _attachments.Clear();
        }

        internal void ThrowIfDisposed()
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(MiowLoop));
        }

        internal void Detach(Attachment attachment)
        {
            if (!_attachments.TryRemove(attachment.Token, out _)) return;
            attachment.Fail(new ObjectDisposedException(nameof(MiowAttachment)));
            if (IsDisposed || attachment.Source.IsDisposed) return;
            try
            {
                attachment.Source.Deregister(_selector);
            }
            catch (ObjectDisposedException)
            {
                // The loop or the source went meanwhile: nothing is left registered.
            }
        }

        private void Run()
        {
            var events = new MiowEvent[256];
            while (true)
            {
                int n;
                try
                {
                    n = _selector.Poll(events, null);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                for (int i = 0; i < n; i++)
                {
                    if (_attachments.TryGetValue(events[i].Token, out Attachment? a)) a.Signal(events[i].Readiness);
                }
            }
        }

        /// <summary>One source's state: a sequence number and at most one waiter per direction.</summary>
        internal sealed class Attachment
        {
            private readonly object _lock = new object();
            private readonly Direction _read = new Direction();
            private readonly Direction _write = new Direction();
            private Exception? _failure;

            internal Attachment(MiowLoop loop, Source source, ulong token)
            {
                Loop = loop;
                Source = source;
                Token = token;
                Public = new MiowAttachment(this);
            }

            internal MiowLoop Loop { get; }

            internal Source Source { get; }

            internal ulong Token { get; }

            internal MiowAttachment Public { get; }

            internal ValueTask WaitAsync(bool write, CancellationToken cancellationToken)
            {
                TaskCompletionSource<bool> waiter;
                Direction d = write ? _write : _read;
                lock (_lock)
                {
                    if (_failure != null) return new ValueTask(Task.FromException(_failure));
                    if (d.Pending)
                    {
                        d.Pending = false; // an event came since the last wait: consume it
                        return default;
                    }
                    if (cancellationToken.IsCancellationRequested) return new ValueTask(Task.FromCanceled(cancellationToken));
                    if (d.Waiter != null) throw new InvalidOperationException($"Another {(write ? "write" : "read")} is already waiting on this source.");
                    waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    d.Waiter = waiter;
                }
                if (cancellationToken.CanBeCanceled)
                {
                    // Cancelling removes the waiter, so a later event is kept for the next wait.
                    CancellationTokenRegistration registration = cancellationToken.Register(() =>
                    {
                        lock (_lock)
                        {
                            if (d.Waiter == waiter) d.Waiter = null;
                        }
                        waiter.TrySetCanceled(cancellationToken);
                    });
                    waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None,
                                             TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                return new ValueTask(waiter.Task);
            }

            internal void Signal(Readiness readiness)
            {
                TaskCompletionSource<bool>? reader = null, writer = null;
                bool closed = (readiness & (Readiness.Error | Readiness.ReadClosed | Readiness.WriteClosed)) != 0;
                lock (_lock)
                {
                    if ((readiness & Readiness.Readable) != 0 || closed) reader = _read.Bump();
                    if ((readiness & Readiness.Writable) != 0 || closed) writer = _write.Bump();
                }
                reader?.TrySetResult(true);
                writer?.TrySetResult(true);
            }

            internal void Fail(Exception failure)
            {
                TaskCompletionSource<bool>? reader, writer;
                lock (_lock)
                {
                    _failure ??= failure;
                    reader = _read.Waiter;
                    writer = _write.Waiter;
                    _read.Waiter = _write.Waiter = null;
                }
                reader?.TrySetException(failure);
                writer?.TrySetException(failure);
            }

            /// <summary>One direction: an event not yet consumed, or the one waiter.</summary>
            private sealed class Direction
            {
                internal bool Pending;
                internal TaskCompletionSource<bool>? Waiter;

                // An event: hands it to the waiter, or keeps it for the next wait.
                internal TaskCompletionSource<bool>? Bump()
                {
                    TaskCompletionSource<bool>? w = Waiter;
                    Waiter = null;
                    Pending = w == null;
                    return w;
                }
            }
        }
    }
}
#endif

// The plumbing behind the Try I/O methods and TakeError of the sources the library creates
// (MiowSocket's stream and UDP types, MiowNamedPipe's two ends): one read, peek or write, the
// vectored forms with every segment pinned, would-block as false, and the pending error.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Miowin
{
    public partial class Source
    {
        /// <summary>The handle a creating call returned, or its failure thrown after freeing the empty handle.</summary>
        private protected static SourceHandle Created(int rc, SourceHandle handle, ErrorSite site)
        {
            if (rc == 0) return handle;
            Exception error = MiowErrors.FromResult(rc, site);
            handle.Dispose();
            throw error;
        }

        private protected enum Transfer
        {
            Read,
            Peek,
            Write,
        }

        /// <summary>One read, peek or write; false on would-block.</summary>
        private protected unsafe bool TryTransfer(Transfer kind, byte* buffer, int length, out int done)
        {
            ThrowIfDisposed();
            UIntPtr n;
            int rc = kind switch
            {
                Transfer.Read => NativeMethods.miow_source_read(Handle, buffer, (UIntPtr)(uint)length, out n),
                Transfer.Peek => NativeMethods.miow_source_peek(Handle, buffer, (UIntPtr)(uint)length, out n),
                _ => NativeMethods.miow_source_write(Handle, buffer, (UIntPtr)(uint)length, out n),
            };
            return Completed(rc, n, out done);
        }

        /// <summary>The array form of <see cref="TryTransfer(Transfer, byte*, int, out int)"/>.</summary>
        private protected unsafe bool TryTransfer(Transfer kind, byte[] buffer, int offset, int count, out int done)
        {
            CheckRange(buffer, offset, count);
            fixed (byte* p = buffer) return TryTransfer(kind, p == null ? null : p + offset, count, out done);
        }

        /// <summary>A read or peek into a span; false on would-block.</summary>
        private protected unsafe bool TryTransfer(Transfer kind, Span<byte> buffer, out int done)
        {
            fixed (byte* p = buffer) return TryTransfer(kind, p, buffer.Length, out done);
        }

        /// <summary>A write of a span; false on would-block.</summary>
        private protected unsafe bool TryWriteSpan(ReadOnlySpan<byte> buffer, out int done)
        {
            fixed (byte* p = buffer) return TryTransfer(Transfer.Write, p, buffer.Length, out done);
        }

        /// <summary>A vectored read or write: every segment pinned for the call; false on would-block.</summary>
        private protected unsafe bool TryTransferVector(bool write, IList<ArraySegment<byte>> buffers, out int done)
        {
            if (buffers == null) throw new ArgumentNullException(nameof(buffers));
            int count = buffers.Count;
            var pins = new GCHandle[count];
            var native = new MiowBuffer[count];
            try
            {
                for (int i = 0; i < count; i++)
                {
                    ArraySegment<byte> segment = buffers[i];
                    if (segment.Array == null) throw new ArgumentException($"Segment {i} has no array.", nameof(buffers));
                    if (segment.Count == 0) continue;
                    pins[i] = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
                    native[i] = new MiowBuffer(pins[i].AddrOfPinnedObject() + segment.Offset, (ulong)segment.Count);
                }
                ThrowIfDisposed();
                UIntPtr n;
                int rc;
                fixed (MiowBuffer* p = native)
                {
                    rc = write
                        ? NativeMethods.miow_source_writev(Handle, p, (UIntPtr)(uint)count, out n)
                        : NativeMethods.miow_source_readv(Handle, p, (UIntPtr)(uint)count, out n);
                }
                return Completed(rc, n, out done);
            }
            finally
            {
                foreach (GCHandle pin in pins)
                {
                    if (pin.IsAllocated) pin.Free();
                }
            }
        }

        /// <summary>true with the count on success, false on would-block, the exception otherwise.</summary>
        private protected bool Completed(int rc, UIntPtr n, out int done)
        {
            if (rc == 0)
            {
                done = (int)n.ToUInt64();
                return true;
            }
            done = 0;
            if (rc == (int)MiowErrorCode.WouldBlock) return false;
            throw Failure(rc, null);
        }

        private protected static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            if (offset < 0 || offset > buffer.Length) throw new ArgumentOutOfRangeException(nameof(offset));
            if (count < 0 || count > buffer.Length - offset) throw new ArgumentOutOfRangeException(nameof(count));
        }

        /// <summary>miow_source_take_error: null, or the pending error as an exception, returned.</summary>
        private protected Exception? TakeErrorCore()
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_source_take_error(Handle, out int error, out int osError);
            if (rc != 0) throw Failure(rc, null);
            return error == 0 ? null : MiowErrors.Create((MiowErrorCode)error, osError, Site);
        }
    }
}

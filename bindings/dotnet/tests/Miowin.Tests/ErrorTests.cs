// The library's error codes as exceptions: bad handles, not-a-socket, busy, and the OS error
// that comes with each.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace Miowin.Tests
{
    public class ErrorTests
    {
        [Fact]
        public void Selector_freed_behind_the_wrappers_back_is_a_bad_handle()
        {
            var selector = new Selector();
            // A second owner of the same native value frees it; the Selector object does not know.
            new SelectorHandle(selector.Handle.DangerousGetHandle(), ownsHandle: true).Dispose();

            IMiowError e = Support.AssertMiowError(MiowErrorCode.BadHandle, () => selector.Post(1, Readiness.Readable));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.BadHandle), e.OsError);
            Support.AssertMiowError(MiowErrorCode.BadHandle, () => selector.Poll(new MiowEvent[1], TimeSpan.Zero));
            Support.AssertMiowError(MiowErrorCode.BadHandle, () => new Waker(selector, 1));

            // The wrapper's own free of the stale value is rejected by the library, silently.
            selector.Dispose();
        }

        [Fact]
        public void Made_up_handles_are_rejected_without_harm()
        {
            new SelectorHandle((IntPtr)0x12345678, ownsHandle: true).Dispose();
            new SourceHandle((IntPtr)0x1, ownsHandle: true).Dispose();
            new WakerHandle((IntPtr)(-1), ownsHandle: true).Dispose();
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_selector_free((IntPtr)0x12345678));
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_source_free((IntPtr)0x1));
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_waker_free((IntPtr)(-1)));
        }

        [Fact]
        public void Handle_of_the_wrong_kind_is_a_bad_handle()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            // A source's value given where a selector is expected.
            using var wrongKind = new SelectorHandle(source.Handle.DangerousGetHandle(), ownsHandle: false);
            Assert.Equal((int)MiowErrorCode.BadHandle,
                         NativeMethods.miow_source_register(source.Handle, wrongKind, 1, (uint)Interest.Readable));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.BadHandle), MiowLibrary.LastOsError);
            source.Register(selector, 1, Interest.Readable);
        }

        [Fact]
        public void A_file_is_not_a_socket()
        {
            string path = Path.GetTempFileName();
            try
            {
                using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
                IMiowError e = Support.AssertMiowError(MiowErrorCode.NotSocket,
                    () => new Source(file.DangerousGetHandle()));
                // Linux: getsockopt on a file says ENOTSOCK. Windows: the Winsock error that
                // revealed it, WSAENOTSOCK.
                Assert.Equal(Support.OsErrorFor(MiowErrorCode.NotSocket), e.OsError);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_value_that_cannot_be_a_socket_is_not_a_socket()
        {
            // Above INT32_MAX: no file descriptor; on Windows a handle value no socket has.
            var value = new IntPtr(0x7FFFFFF0_00000001L);
            Support.AssertMiowError(MiowErrorCode.NotSocket, () => new Source(value));
        }

        [Fact]
        public void OsError_is_the_last_pinvoke_error_and_the_library_record()
        {
            using var selector = new Selector();
            MiowArgumentException e = Support.AssertMiowError<MiowArgumentException>(MiowErrorCode.InvalidArgument, () => selector.Post(1, Readiness.None));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.InvalidArgument), e.OsError);
            Assert.Equal(e.OsError, Marshal.GetLastPInvokeError());
            Assert.Equal(e.OsError, MiowLibrary.LastOsError);
            Assert.Contains("invalid argument", e.Message);
            Assert.Contains("MIOW_EINVAL", e.Message);
        }

        [Fact]
        public void A_second_poller_is_busy()
        {
            using var selector = new Selector();
            using var waker = selector.CreateWaker(1);
            MiowEvent[]? first = null;
            var poller = Support.Background(() =>
            {
                var events = new MiowEvent[4];
                int n = Support.PollPatiently(selector, events, TimeSpan.FromSeconds(20));
                first = events.AsSpan(0, n).ToArray();
            });
            poller.Start();
            try
            {
                // Until the worker is inside its poll, ours may still get in (and finds nothing).
                MiowInvalidOperationException? busy = null;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (busy == null && clock.Elapsed < Support.EventLimit)
                {
                    try
                    {
                        selector.Poll(new MiowEvent[1], TimeSpan.Zero);
                        Thread.Sleep(5);
                    }
                    catch (MiowInvalidOperationException e)
                    {
                        busy = e;
                    }
                }
                Assert.NotNull(busy);
                Assert.Equal(MiowErrorCode.Busy, busy!.Code);
                Assert.Equal(Support.OsErrorFor(MiowErrorCode.Busy), busy.OsError);
            }
            finally
            {
                waker.Wake();
                Assert.True(poller.Join(Support.EventLimit));
            }
            Assert.Equal(1UL, Assert.Single(first!).Token);
        }

        [Fact]
        public void Bad_buffers_and_timeouts_are_argument_exceptions()
        {
            using var selector = new Selector();
            Assert.Throws<ArgumentNullException>(() => selector.Poll(null!, TimeSpan.Zero));
            Assert.Throws<ArgumentException>(() => selector.Poll(Array.Empty<MiowEvent>(), TimeSpan.Zero));
            Assert.Throws<ArgumentOutOfRangeException>(() => selector.Poll(new MiowEvent[1], TimeSpan.FromMilliseconds(-2)));
        }
    }
}

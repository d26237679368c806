// Waitable sources (miowin 1.2): Windows events and processes, and on Linux any pollable
// descriptor (a pipe, a pidfd), reported Readable on the selector with the semantics of
// docs/waitable.md: level mode reports an unconsumed signal at every poll, an auto-reset event once
// per signal, edge and oneshot once until Rearm.
using System;
using System.Diagnostics;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace Miowin.Tests
{
    public class WaitableTests
    {
        private const int Limit = 30_000;

        private static Task Bounded(Action body) => Task.Run(body);

        private static int CountFor(Selector selector, ulong token, TimeSpan window) =>
            Support.Collect(selector, window).Count(e => e.Token == token && e.IsReadable);

        /// <summary>
        /// Something signalled the way each system has it: a set ManualResetEvent (Windows), a pipe
        /// with a byte in it (Linux). Neither is consumed by a report.
        /// </summary>
        private sealed class Signal : IDisposable
        {
            private readonly ManualResetEvent? _event;
            private readonly AnonymousPipeServerStream? _reader;
            private readonly AnonymousPipeClientStream? _writer;

            internal Signal()
            {
                if (Support.IsWindows)
                {
                    _event = new ManualResetEvent(false);
                    Source = Miowin.Source.FromWaitHandle(_event);
                }
                else
                {
                    _reader = new AnonymousPipeServerStream(PipeDirection.In);
                    _writer = new AnonymousPipeClientStream(PipeDirection.Out, _reader.ClientSafePipeHandle);
                    Source = Miowin.Source.FromWaitable(_reader.SafePipeHandle);
                }
            }

            internal Source Source { get; }

            internal void Set()
            {
                if (_event != null) _event.Set();
                else _writer!.Write(new byte[] { 1 }, 0, 1);
            }

            internal void Reset()
            {
                if (_event != null) _event.Reset();
                else Assert.Equal(1, _reader!.Read(new byte[1], 0, 1));
            }

            public void Dispose()
            {
                Source.Dispose();
                _event?.Dispose();
                _writer?.Dispose();
                _reader?.Dispose();
            }
        }

        [Fact(Timeout = Limit)]
        public Task LevelModeReportsAnUnconsumedSignalAtEveryPollUntilReset() => Bounded(() =>
        {
            using var selector = new Selector();
            using var signal = new Signal();
            signal.Source.Register(selector, 1, Interest.Readable);
            Support.AssertSilent(selector, 1);
            signal.Set();
            Assert.True(Support.WaitFor(selector, 1).IsReadable);
            Assert.True(Support.WaitFor(selector, 1).IsReadable);
            Assert.True(Support.WaitFor(selector, 1).IsReadable);
            signal.Reset();
            Support.Collect(selector, Support.Quiet); // a wait satisfied before the reset may still report
            Support.AssertSilent(selector, 1);
        });

        [Theory(Timeout = Limit)]
        [InlineData(Interest.Edge)]
        [InlineData(Interest.Oneshot)]
        public Task EdgeAndOneshotReportOnceUntilRearmed(Interest mode) => Bounded(() =>
        {
            using var selector = new Selector();
            using var signal = new Signal();
            signal.Source.Register(selector, 1, Interest.Readable | mode);
            signal.Set();
            Assert.Equal(1, CountFor(selector, 1, TimeSpan.FromMilliseconds(400)));
            signal.Source.Rearm();
            Assert.Equal(1, CountFor(selector, 1, TimeSpan.FromMilliseconds(400)));
            signal.Source.Deregister(selector);
            Support.AssertSilent(selector, 1);
        });

        [Fact(Timeout = Limit)]
        public Task AutoResetEventIsConsumedByEachReport() => Bounded(() =>
        {
            if (!Support.IsWindows)
            {
                Assert.Throws<PlatformNotSupportedException>(() => Source.FromWaitHandle(new AutoResetEvent(false)));
                return;
            }
            using var selector = new Selector();
            using var autoReset = new AutoResetEvent(false);
            using Source source = Source.FromWaitHandle(autoReset);
            source.Register(selector, 1, Interest.Readable);
            autoReset.Set();
            Assert.Equal(1, CountFor(selector, 1, TimeSpan.FromMilliseconds(400)));
            Assert.False(autoReset.WaitOne(0)); // the reported wait took the signal
            autoReset.Set();
            Assert.Equal(1, CountFor(selector, 1, TimeSpan.FromMilliseconds(400)));
        });

        /// <summary>A child that sleeps briefly and exits with <paramref name="code"/>.</summary>
        internal static Process StartChild(int code)
        {
            ProcessStartInfo info = Support.IsWindows
                ? new ProcessStartInfo("cmd.exe", $"/c exit {code}")
                : new ProcessStartInfo("/bin/sh", $"-c \"sleep 0.2; exit {code}\"");
            info.UseShellExecute = false;
            info.CreateNoWindow = true;
            return Process.Start(info)!;
        }

        [Fact(Timeout = Limit)]
        public Task ChildProcessExitReportsReadableAndStaysSignalled() => Bounded(() =>
        {
            using var selector = new Selector();
            using Process child = StartChild(3);
            using Source exited = Source.FromProcess(child);
            exited.Register(selector, 7, Interest.Readable);
            Assert.True(Support.WaitFor(selector, 7).IsReadable);
            Assert.True(child.WaitForExit(10_000));
            Assert.Equal(3, child.ExitCode);
            // An exited process stays signalled: level mode reports it again.
            Assert.True(Support.WaitFor(selector, 7).IsReadable);
        });

        [Fact(Timeout = Limit)]
        public Task ARunningProcessIsNotReadable() => Bounded(() =>
        {
            using var selector = new Selector();
            ProcessStartInfo info = Support.IsWindows
                ? new ProcessStartInfo("cmd.exe", "/c ping -n 3 127.0.0.1 > nul")
                : new ProcessStartInfo("/bin/sh", "-c \"sleep 2\"");
            info.UseShellExecute = false;
            info.CreateNoWindow = true;
            using Process child = Process.Start(info)!;
            try
            {
                using Source running = Source.FromProcess(child);
                running.Register(selector, 7, Interest.Readable | Interest.Oneshot);
                if (!child.HasExited) Support.AssertSilent(selector, 7);
                Assert.True(child.WaitForExit(20_000));
                Assert.True(Support.WaitFor(selector, 7).IsReadable);
            }
            finally
            {
                if (!child.HasExited) child.Kill();
            }
        });

        [Fact(Timeout = Limit)]
        public Task BadValuesGiveTheDocumentedExceptions() => Bounded(() =>
        {
            Assert.Throws<ArgumentNullException>(() => Source.FromWaitHandle(null!));
            Assert.Throws<ArgumentNullException>(() => Source.FromProcess(null!));
            Assert.Throws<ArgumentNullException>(() => Source.FromWaitable((SafeHandle)null!));
            Assert.Throws<InvalidOperationException>(() => Source.FromProcess(new Process()));
            // -1: INVALID_HANDLE_VALUE on Windows, no descriptor on Linux.
            Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => Source.FromWaitable(new IntPtr(-1)));
            using SocketPair pair = Support.ConnectedPair();
            string path = Path.GetTempFileName();
            try
            {
                using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
                // A file: no signalled state that means anything (Windows), refused by epoll (Linux: EPERM).
                Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => Source.FromWaitable(file));
            }
            finally
            {
                File.Delete(path);
            }
            if (Support.IsWindows)
            {
                Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => Source.FromWaitable(IntPtr.Zero));
                // A socket goes to Source(Socket) instead.
                Support.AssertMiowError<NotSupportedException>(MiowErrorCode.NotSupported, () => Source.FromWaitable(pair.Client.Handle));
                using var mutex = new Mutex();
                Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => Source.FromWaitHandle(mutex));
                // Readable is the only interest a waitable source takes on Windows.
                using var selector = new Selector();
                using var manual = new ManualResetEvent(false);
                using Source source = Source.FromWaitHandle(manual);
                Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument, () => source.Register(selector, 1, Interest.Writable));
                Assert.Throws<NotSupportedException>(() => source.Release());
            }
            else
            {
                Assert.Throws<PlatformNotSupportedException>(() => Source.FromWaitHandle(new ManualResetEvent(false)));
                Assert.Throws<PlatformNotSupportedException>(() => Source.FromWaitable(new ManualResetEvent(false).SafeWaitHandle));
            }
        });

        [Fact(Timeout = Limit)]
        public Task TheSourceKeepsItsHandleOpenAfterTheOwnerIsDisposed() => Bounded(() =>
        {
            if (!Support.IsWindows) return; // Linux: the handle types that hold a descriptor are plain SafeHandles
            using var selector = new Selector();
            var manual = new ManualResetEvent(false);
            using Source source = Source.FromWaitHandle(manual);
            manual.Set();
            manual.Dispose(); // the source still holds a reference on the OS handle
            source.Register(selector, 1, Interest.Readable);
            Assert.True(Support.WaitFor(selector, 1).IsReadable);
        });
    }
}

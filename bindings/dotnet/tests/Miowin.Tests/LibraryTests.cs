// The interop surface itself: the event layout, the constants, the version, error texts, and
// where the native library was loaded from.
using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace Miowin.Tests
{
    public class LibraryTests
    {
        [Fact]
        public void Epoll_layer_is_bound_and_answers()
        {
            IntPtr ep = NativeMethods.miow_epoll_create1(0);
            Assert.NotEqual(IntPtr.Zero, ep);
            IntPtr events = Marshal.AllocHGlobal(16);
            try
            {
                Assert.Equal(0, NativeMethods.miow_epoll_wait(ep, events, 1, 0));
            }
            finally
            {
                Marshal.FreeHGlobal(events);
            }
            Assert.Equal(0, NativeMethods.miow_epoll_close(ep));
            Assert.Equal(-1, NativeMethods.miow_epoll_close(ep));
        }

        [Fact]
        public void Event_struct_matches_the_C_layout()
        {
            Assert.Equal(16, Marshal.SizeOf<MiowEvent>());
            Assert.Equal(16, Unsafe.SizeOf<MiowEvent>());
            Assert.Equal(0, (int)Marshal.OffsetOf<MiowEvent>("_token"));
            Assert.Equal(8, (int)Marshal.OffsetOf<MiowEvent>("_readiness"));
            Assert.Equal(12, (int)Marshal.OffsetOf<MiowEvent>("_reserved"));
        }

        [Fact]
        public unsafe void Event_struct_is_blittable()
        {
            // Pinning an array of it is allowed only for blittable types.
            var events = new MiowEvent[] { new MiowEvent(0x0102030405060708, Readiness.Readable | Readiness.ReadClosed) };
            GCHandle pin = GCHandle.Alloc(events, GCHandleType.Pinned);
            try
            {
                byte* p = (byte*)pin.AddrOfPinnedObject();
                Assert.Equal(0x0102030405060708UL, *(ulong*)p);
                Assert.Equal(0x11u, *(uint*)(p + 8));
                Assert.Equal(0u, *(uint*)(p + 12));
            }
            finally
            {
                pin.Free();
            }
        }

        [Fact]
        public void Flags_have_the_C_values()
        {
            Assert.Equal(0x01u, (uint)Interest.Readable);
            Assert.Equal(0x02u, (uint)Interest.Writable);
            Assert.Equal(0x04u, (uint)Interest.Priority);
            Assert.Equal(0x100u, (uint)Interest.Edge);
            Assert.Equal(0x200u, (uint)Interest.Oneshot);
            Assert.Equal(0x01u, (uint)Readiness.Readable);
            Assert.Equal(0x02u, (uint)Readiness.Writable);
            Assert.Equal(0x04u, (uint)Readiness.Priority);
            Assert.Equal(0x08u, (uint)Readiness.Error);
            Assert.Equal(0x10u, (uint)Readiness.ReadClosed);
            Assert.Equal(0x20u, (uint)Readiness.WriteClosed);
            Assert.Equal(-1, (int)MiowErrorCode.InvalidArgument);
            Assert.Equal(-2, (int)MiowErrorCode.BadHandle);
            Assert.Equal(-3, (int)MiowErrorCode.OutOfMemory);
            Assert.Equal(-4, (int)MiowErrorCode.AlreadyRegistered);
            Assert.Equal(-5, (int)MiowErrorCode.NotRegistered);
            Assert.Equal(-6, (int)MiowErrorCode.Busy);
            Assert.Equal(-7, (int)MiowErrorCode.NotSocket);
            Assert.Equal(-8, (int)MiowErrorCode.Closed);
            Assert.Equal(-9, (int)MiowErrorCode.OsError);
        }

        [Fact]
        public void Version_of_the_loaded_library_is_1_2()
        {
            Assert.Equal(0x010200u, MiowLibrary.VersionNumber & 0xFFFF00u);
            Assert.Equal(1, MiowLibrary.Version.Major);
            Assert.Equal(MiowLibrary.Version.ToString(3), MiowLibrary.VersionString);
            MiowLibrary.EnsureCompatible();
        }

        [Fact]
        public void Describe_returns_the_library_texts()
        {
            Assert.Equal("invalid argument", MiowLibrary.Describe(MiowErrorCode.InvalidArgument));
            Assert.Equal("source already registered", MiowLibrary.Describe(MiowErrorCode.AlreadyRegistered));
            Assert.Equal("unknown error", MiowLibrary.Describe((MiowErrorCode)(-1000)));
        }

        [Fact]
        public void Library_is_loaded_from_MIOWIN_LIBRARY()
        {
            string? configured = Environment.GetEnvironmentVariable(MiowLibrary.LibraryEnvironmentVariable);
            Assert.False(string.IsNullOrEmpty(configured), "the test scripts set MIOWIN_LIBRARY");
#if MIOWIN_NETSTANDARD
            Assert.Equal("NativeLibrary.SetDllImportResolver (through reflection)", MiowLibrary.ResolutionMechanism);
#else
            Assert.Equal("NativeLibrary.SetDllImportResolver", MiowLibrary.ResolutionMechanism);
#endif
            string expected = Path.GetFullPath(configured!);
            FileSystemInfo? target = new FileInfo(expected).ResolveLinkTarget(returnFinalTarget: true);
            if (target != null) expected = target.FullName;

            StringComparison comparison = Support.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            bool found = false;
            foreach (ProcessModule module in Process.GetCurrentProcess().Modules)
            {
                // Linux names a mapped file that was replaced since (a rebuild of the library
                // while the tests run) "PATH (deleted)": it is still the file that was loaded.
                string name = module.FileName.EndsWith(" (deleted)", StringComparison.Ordinal)
                    ? module.FileName.Substring(0, module.FileName.Length - " (deleted)".Length)
                    : module.FileName;
                if (string.Equals(name, expected, comparison)) found = true;
            }
            Assert.True(found, $"{expected} is not among the process's modules");
        }

        [Fact]
        public void A_library_path_that_does_not_load_is_an_error_not_a_fallback()
        {
            string missing = Path.Combine(Path.GetTempPath(), "no-such-dir", Support.IsWindows ? "miowin.dll" : "libmiowin.so");
            Assert.Throws<DllNotFoundException>(() => LibraryResolver.LoadFile(missing));
        }
    }
}

// Finds the native library: the file named by the MIOWIN_LIBRARY environment variable when it is
// set (an override only), otherwise the runtime's own probing (the native assets the deps.json
// lists, the application folder, a single-file bundle's extraction folder, the system search
// path), and when that finds nothing, the runtimes/<rid>/native/ folders that NativeLocations
// names (an application whose deps.json does not list the package's native asset).
using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Miowin
{
    internal static class LibraryResolver
    {
        /// <summary>The environment variable that names the native library file to load.</summary>
        internal const string EnvironmentVariable = "MIOWIN_LIBRARY";

        private static int s_registered;
        private static IntPtr s_loaded;
        private static readonly object s_loadLock = new object();

        /// <summary>The path MIOWIN_LIBRARY names, or null when it is unset or empty.</summary>
        internal static string? ConfiguredPath
        {
            get
            {
                string? path = Environment.GetEnvironmentVariable(EnvironmentVariable);
                return string.IsNullOrEmpty(path) ? null : path;
            }
        }

        /// <summary>How the library is being located; for diagnostics and tests.</summary>
        internal static string Mechanism { get; private set; } = "default probing";

        internal static void Register()
        {
            if (Interlocked.Exchange(ref s_registered, 1) != 0) return;
#if NET5_0_OR_GREATER
            Assembly binding = typeof(LibraryResolver).Assembly;
            NativeLibrary.SetDllImportResolver(binding, Resolve);
            // Runs only after the runtime's own probing failed.
            System.Runtime.Loader.AssemblyLoadContext? context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(binding);
            if (context != null) context.ResolvingUnmanagedDll += ResolveFallback;
            Mechanism = "NativeLibrary.SetDllImportResolver";
#else
            RegisterWithoutNativeLibraryApi();
#endif
        }

#if NET5_0_OR_GREATER
        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name != NativeMethods.Library) return IntPtr.Zero;
            string? path = ConfiguredPath;
            // Zero hands the name back to the runtime's default probing.
            return path == null ? IntPtr.Zero : LoadOnce(path, NativeLibrary.Load);
        }

        private static IntPtr ResolveFallback(Assembly assembly, string name)
        {
            if (name != NativeMethods.Library || assembly != typeof(LibraryResolver).Assembly) return IntPtr.Zero;
            foreach (string candidate in NativeLocations.Candidates(AppContext.BaseDirectory, NativeLocations.AssemblyFolder))
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out IntPtr module))
                {
                    Mechanism = "runtimes/<rid>/native fallback: " + candidate;
                    return module;
                }
            }
            return IntPtr.Zero;
        }

        /// <summary>Loads a library file the way the resolver does: throws if it cannot.</summary>
        internal static IntPtr LoadFile(string path) => NativeLibrary.Load(path);
#else
        // netstandard2.0 has no NativeLibrary type. Two fallbacks, in order:
        // 1. On .NET Core 3.0 to 7 (which load this build when the application targets them),
        //    NativeLibrary exists at run time: register the same resolver through reflection.
        // 2. On .NET Framework (Windows), load the file with LoadLibraryW first: a later
        //    DllImport of "miowin" binds to the module of that name already in the process.
        // Mono on Linux and macOS has neither; there MIOWIN_LIBRARY is ignored and the library is
        // found through a <dllmap> or LD_LIBRARY_PATH.
        private static MethodInfo? s_nativeLibraryLoad;

        private static void RegisterWithoutNativeLibraryApi()
        {
            Assembly coreLib = typeof(Marshal).Assembly;
            Type? nativeLibrary = coreLib.GetType("System.Runtime.InteropServices.NativeLibrary");
            Type? resolverType = coreLib.GetType("System.Runtime.InteropServices.DllImportResolver");
            MethodInfo? setResolver = null;
            if (nativeLibrary != null && resolverType != null)
            {
                setResolver = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType });
                s_nativeLibraryLoad = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
            }
            if (resolverType != null && setResolver != null && s_nativeLibraryLoad != null)
            {
                MethodInfo resolve = typeof(LibraryResolver).GetMethod(
                    nameof(ResolveThroughReflection), BindingFlags.NonPublic | BindingFlags.Static)!;
                Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
                setResolver.Invoke(null, new object[] { typeof(LibraryResolver).Assembly, resolver });
                Mechanism = "NativeLibrary.SetDllImportResolver (through reflection)";
                return;
            }

            string? path = ConfiguredPath;
            if (path != null && IsWindows())
            {
                LoadOnce(path, LoadWithLoadLibrary);
                Mechanism = "LoadLibraryW preload";
                return;
            }
            // .NET Framework does not look in runtimes/<rid>/native: preload the package's file
            // from there when the application folder has none.
            if (IsWindows())
            {
                foreach (string candidate in NativeLocations.Candidates(AppDomain.CurrentDomain.BaseDirectory, NativeLocations.AssemblyFolder))
                {
                    if (File.Exists(candidate) && LoadLibraryW(candidate) != IntPtr.Zero)
                    {
                        Mechanism = "LoadLibraryW preload: " + candidate;
                        return;
                    }
                }
            }
        }

        private static IntPtr ResolveThroughReflection(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name != NativeMethods.Library) return IntPtr.Zero;
            string? path = ConfiguredPath;
            return path == null ? IntPtr.Zero : LoadOnce(path, LoadFile);
        }

        /// <summary>Loads a library file the way the resolver does: throws if it cannot.</summary>
        internal static IntPtr LoadFile(string path)
        {
            if (s_nativeLibraryLoad == null) return LoadWithLoadLibrary(path);
            try
            {
                return (IntPtr)s_nativeLibraryLoad.Invoke(null, new object[] { path })!;
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        private static bool IsWindows() => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        private static IntPtr LoadWithLoadLibrary(string path)
        {
            IntPtr module = LoadLibraryW(path);
            if (module == IntPtr.Zero)
            {
                int error = Marshal.GetLastWin32Error();
                throw new DllNotFoundException(
                    $"{EnvironmentVariable}={path} could not be loaded (Win32 error {error}).");
            }
            return module;
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, ExactSpelling = true, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string fileName);
#endif

        // The runtime may ask once per imported function; load the file once and hand out the
        // same module every time.
        private static IntPtr LoadOnce(string path, Func<string, IntPtr> load)
        {
            lock (s_loadLock)
            {
                if (s_loaded == IntPtr.Zero) s_loaded = load(path);
                return s_loaded;
            }
        }
    }
}

// Where a package puts the native library relative to an application: the runtimes/<rid>/native
// folder of the running platform, derived from the process, so that a new RID in the package
// needs no change here.
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Miowin
{
    internal static class NativeLocations
    {
        /// <summary>The native library's file name on this OS: miowin.dll, libmiowin.dylib or libmiowin.so.</summary>
        internal static string FileName
        {
            get
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return NativeMethods.Library + ".dll";
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "lib" + NativeMethods.Library + ".dylib";
                return "lib" + NativeMethods.Library + ".so";
            }
        }

        /// <summary>The runtime identifier of the package folder for this process, such as win-x64, or null for an unknown OS or CPU.</summary>
        internal static string? RuntimeId
        {
            get
            {
                string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                    : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                    : null;
                string? cpu = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 => "x64",
                    Architecture.X86 => "x86",
                    Architecture.Arm64 => "arm64",
                    Architecture.Arm => "arm",
                    _ => null,
                };
                return os == null || cpu == null ? null : os + "-" + cpu;
            }
        }

        /// <summary>
        /// The files to try, in order, when the runtime's own probing found nothing: each base
        /// folder's runtimes/&lt;rid&gt;/native/ (a portable layout whose deps.json does not list
        /// the library, a plugin folder), then the base folder itself.
        /// </summary>
        /// <param name="baseFolders">The application folder, the binding's folder; empty or null entries are skipped.</param>
        internal static IEnumerable<string> Candidates(params string?[] baseFolders)
        {
            string file = FileName;
            string? rid = RuntimeId;
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? folder in baseFolders)
            {
                if (string.IsNullOrEmpty(folder)) continue;
                if (rid != null)
                {
                    string nested = Path.Combine(folder, "runtimes", rid, "native", file);
                    if (seen.Add(nested)) yield return nested;
                }
                string flat = Path.Combine(folder, file);
                if (seen.Add(flat)) yield return flat;
            }
        }

        /// <summary>The binding assembly's folder, or null in a single-file bundle (no location).</summary>
        internal static string? AssemblyFolder
        {
            get
            {
#pragma warning disable IL3000 // empty in a single-file bundle, which is handled
                string location = typeof(NativeLocations).Assembly.Location;
#pragma warning restore IL3000
                return string.IsNullOrEmpty(location) ? null : Path.GetDirectoryName(location);
            }
        }
    }
}

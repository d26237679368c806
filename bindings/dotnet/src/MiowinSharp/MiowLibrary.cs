// Facts about the loaded native library: its version, error texts, the last OS error.
using System;

namespace Miowin
{
    /// <summary>The loaded native library: version checks, error descriptions and where it came from.</summary>
    public static class MiowLibrary
    {
        /// <summary>The ABI major version this binding was written for (<c>MIOW_VERSION_MAJOR</c>).</summary>
        public const int AbiMajorVersion = 1;

        /// <summary>
        /// The environment variable that names the native library file to load, for example
        /// <c>/opt/miowin/lib/libmiowin.so</c> or <c>C:\miowin\miowin.dll</c>. When it is unset the
        /// runtime's default probing finds the library (the package's <c>runtimes/&lt;rid&gt;/native</c>
        /// folder, the application folder, the system search path).
        /// </summary>
        public const string LibraryEnvironmentVariable = LibraryResolver.EnvironmentVariable;

        private static volatile bool s_checked;

        /// <summary>The version of the loaded library as one number: <c>(major &lt;&lt; 16) | (minor &lt;&lt; 8) | patch</c>.</summary>
        public static uint VersionNumber => NativeMethods.miow_version();

        /// <summary>The version of the loaded library.</summary>
        public static Version Version
        {
            get
            {
                uint v = VersionNumber;
                return new Version((int)(v >> 16), (int)((v >> 8) & 0xFF), (int)(v & 0xFF));
            }
        }

        /// <summary>The version of the loaded library as text, such as "1.0.0".</summary>
        public static string VersionString => NativeMethods.StaticString(NativeMethods.miow_version_string());

        /// <summary>The library's short English description of an error code (<c>miow_strerror</c>).</summary>
        /// <param name="code">An error code.</param>
        /// <returns>The description; "unknown error" for a code the library does not define.</returns>
        public static string Describe(MiowErrorCode code) =>
            NativeMethods.StaticString(NativeMethods.miow_strerror((int)code));

        /// <summary>
        /// The OS error behind the calling thread's most recent failed miowin call
        /// (<c>miow_last_os_error</c>), or 0 if none has failed on this thread.
        /// </summary>
        public static int LastOsError => NativeMethods.miow_last_os_error();

        /// <summary>How the native library is being located: for diagnostics.</summary>
        public static string ResolutionMechanism
        {
            get
            {
                _ = VersionNumber; // binds the library, which registers the resolver first
                return LibraryResolver.Mechanism;
            }
        }

        /// <summary>
        /// Checks that the loaded library's major version is <see cref="AbiMajorVersion"/>. Every
        /// constructor of <see cref="Selector"/>, <see cref="Source"/> and <see cref="Waker"/>
        /// calls it; it checks once per process.
        /// </summary>
        /// <exception cref="DllNotFoundException">The library could not be loaded.</exception>
        /// <exception cref="NotSupportedException">The library has another major version.</exception>
        public static void EnsureCompatible()
        {
            if (s_checked) return;
            uint v = VersionNumber;
            if (v >> 16 != AbiMajorVersion)
            {
                throw new NotSupportedException(
                    $"miowin {VersionString} was loaded, but this binding needs ABI major version {AbiMajorVersion}.");
            }
            s_checked = true;
        }
    }
}

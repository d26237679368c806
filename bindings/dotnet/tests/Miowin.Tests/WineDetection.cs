// Whether the tests run under Wine, for the few documented places where Wine 8 differs from
// Windows (docs/pipes.md): the test then accepts Wine's outcome and says so.
using System;
using System.Runtime.InteropServices;

namespace Miowin.Tests
{
    internal static class Wine
    {
        private static readonly Lazy<bool> Detected = new Lazy<bool>(() =>
            Support.IsWindows && NativeLibrary.TryLoad("ntdll.dll", out IntPtr ntdll) &&
            NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _));

        /// <summary>True under Wine: its ntdll exports wine_get_version.</summary>
        internal static bool IsRunning => Detected.Value;

        /// <summary>Prints why a test took Wine's documented path.</summary>
        internal static void Note(string what) => Console.WriteLine($"note: under Wine, {what}");
    }
}

// Address text to and from the C API: NUL-terminated UTF-8.
using System;
using System.Text;

namespace Miowin
{
    internal static class Utf8
    {
        /// <summary>The text as NUL-terminated UTF-8, for a <c>const char *</c> parameter.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="text"/> contains a NUL, which would cut it short.</exception>
        internal static byte[] Encode(string text, string parameterName)
        {
            if (text == null) throw new ArgumentNullException(parameterName);
            if (text.IndexOf('\0') >= 0) throw new ArgumentException("The text must not contain NUL.", parameterName);
            var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0);
            return bytes;
        }

        /// <summary>The NUL-terminated UTF-8 text the library wrote into a buffer of <paramref name="size"/> bytes.</summary>
        internal static unsafe string Decode(byte* buffer, int size)
        {
            int length = 0;
            while (length < size && buffer[length] != 0) length++;
            return Encoding.UTF8.GetString(buffer, length);
        }
    }
}

// Converts a poll timeout to the C API's milliseconds.
using System;
using System.Threading;

namespace Miowin
{
    internal static class Timeouts
    {
        /// <summary>
        /// null or <see cref="Timeout.InfiniteTimeSpan"/> is -1 (wait without limit); any other
        /// value is rounded up to whole milliseconds, so a poll never waits less than asked.
        /// </summary>
        internal static long ToMilliseconds(TimeSpan? timeout)
        {
            if (timeout == null || timeout.Value == Timeout.InfiniteTimeSpan) return -1;
            long ticks = timeout.Value.Ticks;
            if (ticks < 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(timeout), timeout, "A poll timeout must be null, Timeout.InfiniteTimeSpan, or not negative.");
            }
            long ms = ticks / TimeSpan.TicksPerMillisecond;
            return ticks % TimeSpan.TicksPerMillisecond == 0 ? ms : ms + 1;
        }
    }
}

// Small points of the public surface that .NET code relies on: MiowEvent is a read-only value
// with a helper per readiness bit, and wrapping a blocking Socket is refused.
using System;
using System.Linq;
using System.Net.Sockets;
using System.Reflection;
using Xunit;

namespace Miowin.Tests
{
    public class ApiShapeTests
    {
        [Fact]
        public void Event_is_a_read_only_struct_without_public_fields()
        {
            Type type = typeof(MiowEvent);
            Assert.True(type.IsValueType);
            // `readonly struct` is marked with IsReadOnlyAttribute, which the compiler emits itself.
            Assert.Contains(type.GetCustomAttributes(false), a => a.GetType().FullName == "System.Runtime.CompilerServices.IsReadOnlyAttribute");
            Assert.Empty(type.GetFields(BindingFlags.Public | BindingFlags.Instance));
            Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => Assert.False(p.CanWrite, p.Name));
        }

        [Theory]
        [InlineData(Readiness.Readable, "IsReadable")]
        [InlineData(Readiness.Writable, "IsWritable")]
        [InlineData(Readiness.Priority, "IsPriority")]
        [InlineData(Readiness.Error, "IsError")]
        [InlineData(Readiness.ReadClosed, "IsReadClosed")]
        [InlineData(Readiness.WriteClosed, "IsWriteClosed")]
        public void Each_event_helper_reads_its_own_readiness_bit(Readiness bit, string helper)
        {
            string[] helpers = { "IsReadable", "IsWritable", "IsPriority", "IsError", "IsReadClosed", "IsWriteClosed" };
            var only = new MiowEvent(7, bit);
            var allButIt = new MiowEvent(7, (Readiness)0x3F & ~bit);
            foreach (string name in helpers)
            {
                PropertyInfo property = typeof(MiowEvent).GetProperty(name)!;
                Assert.Equal(name == helper, (bool)property.GetValue(only)!);
                Assert.Equal(name != helper, (bool)property.GetValue(allButIt)!);
            }
            Assert.Equal(7UL, only.Token);
            Assert.Equal(bit, only.Readiness);
        }

        [Fact]
        public void Wrapping_a_blocking_socket_is_an_argument_exception()
        {
            using var pair = Support.ConnectedPair();
            pair.Server.Blocking = true;
            ArgumentException e = Assert.Throws<ArgumentException>(() => new Source(pair.Server));
            Assert.Equal("socket", e.ParamName);
            // Refused before anything was registered or changed: the socket is as it was.
            Assert.True(pair.Server.Blocking);
            pair.Server.Blocking = false;
            using var source = new Source(pair.Server);
            Assert.Same(pair.Server, source.Socket);
        }

        [Fact]
        public void Interest_has_no_empty_member()
        {
            // An empty interest is an ArgumentException when registering, so no name offers one.
            Assert.DoesNotContain(Enum.GetValues(typeof(Interest)).Cast<Interest>(), i => (uint)i == 0);
        }
    }
}

// Which .NET exception each MIOW_E* code becomes, on a socket, on a pipe and elsewhere (the table
// of docs/dotnet.md), that every one keeps the code and the OS error, and that the types have
// the standard constructors.
using System;
using System.IO;
using System.Net.Sockets;
using Xunit;

namespace Miowin.Tests
{
    public class ExceptionMappingTests
    {
        // Code, then the type on a socket, on a pipe and elsewhere (selector, waker).
        public static TheoryData<MiowErrorCode, Type, Type, Type> Table => new TheoryData<MiowErrorCode, Type, Type, Type>
        {
            { MiowErrorCode.InvalidArgument, typeof(MiowArgumentException), typeof(MiowArgumentException), typeof(MiowArgumentException) },
            { MiowErrorCode.BadHandle, typeof(MiowObjectDisposedException), typeof(MiowObjectDisposedException), typeof(MiowObjectDisposedException) },
            { MiowErrorCode.OutOfMemory, typeof(MiowException), typeof(MiowException), typeof(MiowException) },
            { MiowErrorCode.AlreadyRegistered, typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException) },
            { MiowErrorCode.NotRegistered, typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException) },
            { MiowErrorCode.Busy, typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException), typeof(MiowInvalidOperationException) },
            { MiowErrorCode.NotSocket, typeof(MiowSocketException), typeof(MiowSocketException), typeof(MiowSocketException) },
            { MiowErrorCode.Closed, typeof(MiowObjectDisposedException), typeof(MiowObjectDisposedException), typeof(MiowObjectDisposedException) },
            { MiowErrorCode.OsError, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowException) },
            { MiowErrorCode.WouldBlock, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.ConnectionRefused, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.ConnectionReset, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.ConnectionAborted, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.NotConnected, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.AddressInUse, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.AddressNotAvailable, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.MessageSize, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.Shutdown, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.TimedOut, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.NotSupported, typeof(MiowNotSupportedException), typeof(MiowNotSupportedException), typeof(MiowNotSupportedException) },
            { MiowErrorCode.BrokenPipe, typeof(MiowSocketException), typeof(MiowIOException), typeof(MiowSocketException) },
            { MiowErrorCode.PipeBusy, typeof(MiowIOException), typeof(MiowIOException), typeof(MiowIOException) },
            { MiowErrorCode.PipeNotFound, typeof(MiowIOException), typeof(MiowIOException), typeof(MiowIOException) },
            { (MiowErrorCode)(-1000), typeof(MiowException), typeof(MiowException), typeof(MiowException) },
        };

        [Theory]
        [MemberData(nameof(Table))]
        public void Each_code_becomes_the_exception_of_the_table(MiowErrorCode code, Type onSocket, Type onPipe, Type elsewhere)
        {
            foreach ((ErrorSite site, Type expected) in new[] { (ErrorSite.Socket, onSocket), (ErrorSite.Pipe, onPipe), (ErrorSite.General, elsewhere) })
            {
                Exception e = MiowErrors.Create(code, 42, site);
                Assert.IsType(expected, e);
                IMiowError error = Assert.IsAssignableFrom<IMiowError>(e);
                Assert.Equal(code, error.Code);
                Assert.Equal(42, error.OsError);
                Assert.Contains("OS error 42", e.Message);
            }
        }

        [Fact]
        public void The_types_derive_from_what_dotnet_code_catches()
        {
            Assert.IsAssignableFrom<SocketException>(new MiowSocketException());
            Assert.IsAssignableFrom<IOException>(new MiowIOException());
            Assert.IsAssignableFrom<ArgumentException>(new MiowArgumentException());
            Assert.IsAssignableFrom<InvalidOperationException>(new MiowInvalidOperationException());
            Assert.IsAssignableFrom<NotSupportedException>(new MiowNotSupportedException());
            Assert.IsAssignableFrom<ObjectDisposedException>(new MiowObjectDisposedException());
        }

        [Fact]
        public void Socket_exceptions_carry_the_socket_error_of_dotnet_sockets()
        {
            var e = new MiowSocketException(MiowErrorCode.ConnectionRefused, 111);
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
            Assert.Contains("MIOW_ECONNREFUSED", e.Message);
            Assert.Equal(SocketError.AddressAlreadyInUse, new MiowSocketException(MiowErrorCode.AddressInUse, 0).SocketErrorCode);
            Assert.Equal(SocketError.WouldBlock, new MiowSocketException(MiowErrorCode.WouldBlock, 0).SocketErrorCode);
            Assert.Equal(SocketError.TimedOut, new MiowSocketException(MiowErrorCode.TimedOut, 0).SocketErrorCode);
            Assert.Equal(SocketError.ConnectionAborted, new MiowSocketException(MiowErrorCode.ConnectionAborted, 0).SocketErrorCode);
        }

        [Fact]
        public void Exceptions_have_the_standard_constructors()
        {
            var inner = new InvalidOperationException("cause");
            Assert.Equal("m", new MiowException("m").Message);
            Assert.Same(inner, new MiowException("m", inner).InnerException);
            Assert.Equal("m", new MiowIOException("m").Message);
            Assert.Same(inner, new MiowIOException("m", inner).InnerException);
            Assert.StartsWith("m", new MiowArgumentException("m").Message);
            Assert.Same(inner, new MiowArgumentException("m", inner).InnerException);
            Assert.Equal("m", new MiowInvalidOperationException("m").Message);
            Assert.Same(inner, new MiowInvalidOperationException("m", inner).InnerException);
            Assert.Equal("m", new MiowNotSupportedException("m").Message);
            Assert.Same(inner, new MiowNotSupportedException("m", inner).InnerException);
            Assert.Equal("m", new MiowObjectDisposedException("m").Message);
            Assert.Same(inner, new MiowObjectDisposedException("m", inner).InnerException);
            // SocketException takes no inner exception.
            Assert.Equal("m", new MiowSocketException("m").Message);
            Assert.Equal(SocketError.SocketError, new MiowSocketException().SocketErrorCode);
            Assert.NotEmpty(new MiowException().Message);
        }

        [Fact]
        public void A_real_refused_connect_is_caught_as_a_SocketException()
        {
            System.Net.IPEndPoint gone;
            using (MiowTcpListener listener = MiowTcpListener.Bind("127.0.0.1:0")) gone = listener.LocalAddress;
            using var selector = new Selector();
            using MiowTcpStream stream = MiowTcpStream.Connect(gone);
            stream.Register(selector, 1, Interest.Writable);
            Support.WaitFor(selector, 1);
            try
            {
                Exception? pending = stream.TakeError();
                if (pending != null) throw pending;
                Assert.Fail("the connect was not refused");
            }
            catch (SocketException e)
            {
                Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
            }
        }

        [Fact]
        public void A_second_registration_is_an_InvalidOperationException_and_an_empty_interest_an_ArgumentException()
        {
            using var selector = new Selector();
            using var udp = MiowUdpSocket.Bind("127.0.0.1:0");
            Assert.Throws<MiowArgumentException>(() => udp.Register(selector, 1, default));
            udp.Register(selector, 1, Interest.Readable);
            Assert.Throws<MiowInvalidOperationException>(() => udp.Register(selector, 1, Interest.Readable));
        }
    }
}

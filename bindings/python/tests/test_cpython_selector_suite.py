"""CPython's own selector test suite (Lib/test/test_selectors.py), run against MiowSelector.

BaseSelectorTestCase is written to be subclassed once per selector; ScalableSelectorMixIn adds
test_above_fd_setsize, which every selector that claims to scale past FD_SETSIZE gets in
CPython (poll, epoll, kqueue, devpoll). Nothing in it is skipped for MiowSelector:

- test_modify_unregister in the base class patches the private ``_selector_cls`` of
  EpollSelector, PollSelector or DevpollSelector and calls skipTest() for any other selector.
  It is overridden below with the same check made through miowin's own layer.
- test_fileno checks fileno() only if the selector has one; MiowSelector has none (its
  selector is not a descriptor on Windows), so that test passes without checking anything.

The checks CPython makes only for one backend (EpollSelector.test_register_file,
KqueueSelector.test_register_bad_fd and test_empty_select_timeout) are repeated here for
MiowSelector too.
"""

import errno
import os
import selectors
import sys
import tempfile
import time
import unittest
import unittest.mock

import pytest

from miowin import NotSocketError
from miowin.selectors import ANY_DESCRIPTOR, MiowSelector

try:
    from test import test_selectors
except ImportError:  # pragma: no cover - depends on the machine
    pytest.fail(
        "CPython's test suite is missing: install libpython3.X-testsuite (Debian) for "
        "test.test_selectors",
        pytrace=False,
    )

# test_above_fd_setsize opens up to 65,536 descriptors; the rest are quick.
pytestmark = pytest.mark.timeout(300)


class MiowSelectorTestCase(
    test_selectors.BaseSelectorTestCase,
    test_selectors.ScalableSelectorMixIn,
    unittest.TestCase,
):
    SELECTOR = MiowSelector

    def test_modify_unregister(self):
        # The base version, for epoll/poll/devpoll, makes the backend's modify raise and checks
        # that the selector unregistered the file object (bpo-30014). Same check, with the
        # failure injected where MiowSelector.modify calls into miowin.
        s = self.SELECTOR()
        self.addCleanup(s.close)
        rd, wr = self.make_socketpair()
        s.register(rd, selectors.EVENT_READ)
        self.assertEqual(len(s.get_map()), 1)
        with unittest.mock.patch.object(
            MiowSelector, "_reregister", side_effect=ZeroDivisionError
        ):
            with self.assertRaises(ZeroDivisionError):
                s.modify(rd, selectors.EVENT_WRITE)
        self.assertEqual(len(s.get_map()), 0)
        with self.assertRaises(KeyError):
            s.get_key(rd)
        # The socket really left the library's selector: registering it again works.
        s.register(rd, selectors.EVENT_READ)

    def test_register_file(self):
        # As EpollSelectorTestCase.test_register_file: a regular file cannot be registered
        # (EPERM, as epoll says, where the library takes any descriptor; ENOTSOCK where it takes
        # sockets only), and a refused registration leaves no key behind.
        s = self.SELECTOR()
        self.addCleanup(s.close)
        with tempfile.NamedTemporaryFile() as f:
            with self.assertRaises(OSError) as cm:
                s.register(f, selectors.EVENT_READ)
            if ANY_DESCRIPTOR:
                self.assertIsInstance(cm.exception, PermissionError)
                self.assertEqual(cm.exception.errno, errno.EPERM)
            else:
                self.assertIsInstance(cm.exception, NotSocketError)
                self.assertEqual(cm.exception.errno, errno.ENOTSOCK)
            with self.assertRaises(KeyError):
                s.get_key(f)

    @unittest.skipIf(sys.platform == "win32", "POSIX pipes")
    def test_register_pipe(self):
        # A pipe is watched as EpollSelector watches it where the library takes any
        # descriptor, and refused at once, leaving no key, where it takes sockets only.
        s = self.SELECTOR()
        self.addCleanup(s.close)
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        if not ANY_DESCRIPTOR:
            with self.assertRaises(NotSocketError):
                s.register(r, selectors.EVENT_READ)
            self.assertEqual(len(s.get_map()), 0)
            return
        s.register(r, selectors.EVENT_READ)
        s.register(w, selectors.EVENT_WRITE)
        self.assertEqual([(k.fd, ev) for k, ev in s.select(0)], [(w, selectors.EVENT_WRITE)])
        os.write(w, b"x")
        ready = sorted((k.fd, ev) for k, ev in s.select(0))
        self.assertEqual(ready, sorted([(r, selectors.EVENT_READ), (w, selectors.EVENT_WRITE)]))
        s.unregister(w)
        os.read(r, 1)
        self.assertEqual(s.select(0), [])

    def test_register_bad_fd(self):
        # As KqueueSelectorTestCase.test_register_bad_fd: a closed descriptor is an OSError
        # with EBADF, and no key is left.
        s = self.SELECTOR()
        self.addCleanup(s.close)
        # test.support.os_helper is 3.10+; 3.8 and 3.9 have make_bad_fd in test.support.
        helpers = getattr(test_selectors, "os_helper", None) or test_selectors.support
        bad_fd = helpers.make_bad_fd()
        with self.assertRaises(OSError) as cm:
            s.register(bad_fd, selectors.EVENT_READ)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with self.assertRaises(KeyError):
            s.get_key(bad_fd)

    def test_empty_select_timeout(self):
        # As KqueueSelectorTestCase.test_empty_select_timeout: the timeout applies with
        # nothing registered.
        s = self.SELECTOR()
        self.addCleanup(s.close)
        t0 = time.monotonic()
        self.assertEqual(s.select(1), [])
        dt = time.monotonic() - t0
        self.assertTrue(0.8 <= dt <= 2.0, dt)

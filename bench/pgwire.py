"""A loopback TCP relay in front of PostgreSQL that counts round trips: every ReadyForQuery
message the server sends ends one (a simple query, an extended-protocol Sync, a pipeline's
sync), whatever pg_stat_statements sees or not (the pool's empty pre-ping query, DEALLOCATE,
a pipelined executemany sending many statements in one trip). For a short counting run only:
it adds a hop and Python to every statement."""
import socket
import struct
import threading

READY_FOR_QUERY = ord("Z")


class _ServerStream:
    """Walks the server's side of one connection message by message. Before the first
    message, the server may answer an SSL or GSSAPI encryption request with one untyped byte
    ('N': not offered)."""

    def __init__(self):
        self.buffer = b""
        self.started = False

    def feed(self, data: bytes) -> int:
        self.buffer += data
        ready = 0
        while True:
            if not self.started and self.buffer[:1] == b"N":
                self.buffer = self.buffer[1:]
                continue
            if len(self.buffer) < 5:
                return ready
            kind, length = self.buffer[0], struct.unpack("!I", self.buffer[1:5])[0]
            if len(self.buffer) < 1 + length:
                return ready
            self.started = True
            ready += kind == READY_FOR_QUERY
            self.buffer = self.buffer[1 + length:]


class CountingRelay:
    """Listens on a free loopback port and relays each connection to `target` (host, port),
    counting the server's ReadyForQuery messages in `round_trips`."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.round_trips = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, _ServerStream()),
                             daemon=True).start()

    def _pipe(self, source, sink, stream) -> None:
        try:
            while data := source.recv(65536):
                if stream is not None:
                    ready = stream.feed(data)
                    if ready:
                        with self._lock:
                            self.round_trips += ready
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):  # the other direction's thread then stops too
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self.listener.close()

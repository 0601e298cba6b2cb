#include "random.h"

#include <QtGlobal>

#include <openssl/rand.h>

namespace Tailops::Core {

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(raw.data()), bytes) != 1) {
        qFatal("the system's random number generator failed"); // nothing safe can be issued without it
    }
    return raw.toHex();
}

} // namespace Tailops::Core

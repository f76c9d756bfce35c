#!/bin/sh
# Make the certificates examples/fake_server.py uses: a local certificate
# authority and a server certificate it signs for the fake API's host names.
# They are for the example only (the keys are public): never trust this CA
# anywhere else. Run from this directory: sh make_certs.sh
set -eu
days=3650
hosts="DNS:api.example.com,DNS:localhost,IP:127.0.0.1,IP:::1"

openssl req -x509 -newkey rsa:2048 -nodes -days "$days" \
    -subj "/CN=aiohttp examples test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem

openssl req -newkey rsa:2048 -nodes \
    -subj "/CN=api.example.com" \
    -keyout server.key -out server.csr

printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
    "$hosts" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days "$days" -extfile server.ext -out server.pem

rm -f server.csr server.ext ca.srl ca.key  # the CA key is not needed again

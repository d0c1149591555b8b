#!/usr/bin/env bash
# Writes docker/secrets/ for docker/compose.production.yaml: one self-signed certificate for kafka1..3 and redis
# (its certificate is the trust anchor), random passwords, the brokers' JAAS file, Redis's ACL file and the files
# the pipeline reads from coupon.secrets-dir. For trying the production shape; in production, use your CA's
# certificates and your vault's passwords in the same files. Needs keytool (any JDK) and openssl.
set -euo pipefail
cd "$(dirname "$0")"
out=secrets
if [ -e "$out" ]; then echo "$out exists: remove it first" >&2; exit 1; fi
mkdir -m 700 "$out"
rnd() { openssl rand -hex 16; }
store=$(rnd); admin=$(rnd); coupon=$(rnd); redis=$(rnd); token=$(rnd)
keytool -genkeypair -alias server -keyalg RSA -keysize 2048 -validity 825 -dname CN=coupon-pipeline \
  -ext SAN=dns:kafka1,dns:kafka2,dns:kafka3,dns:redis,dns:localhost -storetype PKCS12 \
  -keystore "$out/kafka.keystore.p12" -storepass "$store" -keypass "$store" 2>/dev/null
keytool -exportcert -rfc -alias server -keystore "$out/kafka.keystore.p12" -storepass "$store" -file "$out/ca.crt"
cp "$out/ca.crt" "$out/redis.crt"
openssl pkcs12 -in "$out/kafka.keystore.p12" -nocerts -nodes -passin "pass:$store" | openssl pkey -out "$out/redis.key"
keytool -importcert -noprompt -alias server -file "$out/ca.crt" -storetype PKCS12 -keystore "$out/ca.p12" \
  -storepass "$store" 2>/dev/null
printf 'password=%s\n' "$store" > "$out/kafka-ssl.properties"
printf '%s' "$store" > "$out/truststore-password"
cat > "$out/kafka_server_jaas.conf" <<JAAS
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="admin" password="$admin"
  user_admin="$admin"
  user_coupon="$coupon";
};
JAAS
cat > "$out/kafka-admin.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$admin";
ssl.truststore.location=/run/secrets/ca.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store
PROPS
printf 'org.apache.kafka.common.security.plain.PlainLoginModule required username="coupon" password="%s";' "$coupon" \
  > "$out/coupon.kafka.sasl-jaas-config"
cat > "$out/redis-users.acl" <<ACL
user default off
user coupon on >$redis ~coupons:* &* +@all -@dangerous
user health on nopass -@all +ping
ACL
printf '%s' "$redis" > "$out/coupon.redis.password"
printf '%s' "$token" > "$out/coupon.http.token"
# the containers run as their own users: the files must be readable to them (the directory stays private)
chmod 644 "$out"/*
echo "wrote $(ls "$out" | wc -l) files to docker/$out; POST /runs needs the bearer token in docker/$out/coupon.http.token"

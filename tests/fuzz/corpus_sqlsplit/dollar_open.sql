SELECT $tag$ never closed;
$TAG$ still; $ta
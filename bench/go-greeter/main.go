// The Greeter of proto/proto/greeter.proto on grpc-go, for the side-by-side
// benchmark (`cargo xtask bench --only grpc-go`): the same answers as the
// project's server, nothing else. Built by the benchmark from Debian's
// packages in GOPATH mode; see bench/versus-go.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "greeterbench/greeter"
)

type greeter struct{}

func (greeter) SayHello(_ context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	if in.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "Name cannot be empty")
	}
	return &pb.HelloReply{Message: "Hello " + in.GetName()}, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	addrFile := flag.String("addr-file", "", "file to write the bound address to")
	flag.Parse()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	bound := listener.Addr().String()
	fmt.Println(bound)
	if *addrFile != "" {
		if err := ioutil.WriteFile(*addrFile, []byte(bound), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	server := grpc.NewServer()
	pb.RegisterGreeterServer(server, greeter{})
	log.Fatal(server.Serve(listener))
}
